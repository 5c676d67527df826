"""Which requests the guard recognises as asking for a file under the upload folder.

The guard itself runs in front of a real server in test_web_security.py (429 after failed logins,
404 for uploaded files); these are its path rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ui.guard import is_under, requested_file


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/gradio_api/file=/tmp/gradio/abc/a.txt", "/tmp/gradio/abc/a.txt"),
        ("/gradio_api/file/tmp/gradio/abc/a.txt", "tmp/gradio/abc/a.txt"),
        ("/gradio_api/file=", ""),
        ("/gradio_api/upload", None),
        ("/gradio_api/info", None),
        ("/", None),
    ],
)
def test_file_routes_are_recognised(path: str, target: str | None) -> None:
    assert requested_file(path) == target


def test_paths_are_compared_after_resolving_dots_and_links(tmp_path: Path) -> None:
    root = tmp_path / "uploads"
    (root / "abc").mkdir(parents=True)
    (root / "abc" / "a.txt").write_text("x")
    (tmp_path / "link").symlink_to(root)
    resolved = root.resolve()
    assert is_under(str(root / "abc" / "a.txt"), resolved)
    assert is_under(f"{tmp_path}/other/../uploads/abc/a.txt", resolved)
    assert is_under(str(tmp_path / "link" / "abc" / "a.txt"), resolved)
    assert not is_under(str(tmp_path / "elsewhere.txt"), resolved)
    assert not is_under("/etc/passwd", resolved)
