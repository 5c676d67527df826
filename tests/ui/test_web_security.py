"""The web chat's surface, probed over HTTP against the real server on a free loopback port.

Bound to 127.0.0.1 unless told otherwise; uploads limited in size (by Gradio at the door, then per
file by Sanad) and in type; no file served back from an arbitrary path (system files, the index,
the repository, an uploaded article once indexed); an optional login that really closes the API.
How answers render (HTML in articles and questions shown as text) is tested in the browser
(test_browser.py) and in test_render.py.
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from assistant.config import Settings

httpx = pytest.importorskip("httpx")

REPO = Path(__file__).resolve().parents[2]
UPLOAD_MB = 0.05  # per-file limit for these servers: 50 kB, so Gradio's door (10x) is 500 kB


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fingerprint(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def serve(index_dir: Path, environ: dict[str, str] | None = None) -> tuple[object, str, object, Settings]:
    from assistant.sanad import Sanad
    from ui.app import start

    s = Settings.from_env(
        environ=environ or {}, index_dir=index_dir, port=free_port(), upload_max_mb=UPLOAD_MB, progress=False
    )
    sanad = Sanad(s)
    sanad.ensure_index()
    demo, url = start(sanad, s)
    return demo, url, sanad, s


@pytest.fixture(scope="module")
def server(sanad_home: Path) -> Iterator[tuple[str, object, Settings]]:
    demo, url, sanad, settings = serve(sanad_home / "web-security")
    yield url, sanad, settings
    demo.close()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as c:
        yield c


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp{,6} shows them) listening on `port`."""
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            addr, p = fields[1].split(":")
            if int(p, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                out.add(addr)
    return out


def outward_address() -> str | None:
    """This machine's non-loopback address, if it has one (a UDP 'connect' sends nothing)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            addr = s.getsockname()[0]
    except OSError:
        return None
    return None if addr.startswith("127.") else addr


# -- bound to loopback (the launch options themselves: test_app.py) ----------------------------------
def test_server_listens_on_loopback_only(server) -> None:
    url, _, settings = server
    assert url.startswith("http://127.0.0.1:")
    assert listening_addresses(settings.port) == {"0100007F"}  # 127.0.0.1, not 0.0.0.0 or ::
    outward = outward_address()
    if outward is not None:
        with pytest.raises(OSError), socket.create_connection((outward, settings.port), timeout=2):
            pass


# -- no file served from an arbitrary path -------------------------------------------------------------
def probe_paths(target: Path) -> list[str]:
    """Ways of asking the server for `target` that some Gradio versions or proxies have honoured."""
    t = str(target)
    rel = "../" * 12 + t.lstrip("/")
    return [
        f"gradio_api/file={t}",
        f"gradio_api/file={quote(t, safe='')}",
        f"gradio_api/file=/tmp/../{t.lstrip('/')}",
        f"gradio_api/file={rel}",
        f"gradio_api/file={quote(rel, safe='')}",
        f"gradio_api/file=/{t}",
        f"gradio_api/file=file://{t}",
        f"file={t}",
        f"gradio_api/file/{t.lstrip('/')}",
        f"gradio_api/static/{rel}",
        f"static/{rel}",
        f"assets/{quote(rel, safe='')}",
        f"gradio_api/proxy={t}",
        f"gradio_api/file={t}%00.txt",
    ]


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    token = "SECRET-" + os.urandom(8).hex()
    path = tmp_path_factory.mktemp("not-served") / "secret.txt"
    path.write_text(f"{token}\n", encoding="utf-8")
    return path, token


def assert_not_served(client: httpx.Client, url: str, target: Path, needle: str) -> None:
    for path in probe_paths(target):
        r = client.get(url + path)
        assert needle not in r.text, f"{path} served {target} ({r.status_code})"
        assert r.status_code != 200 or "text/html" in r.headers.get("content-type", ""), (path, r.status_code)


def test_system_files_are_not_served(server, client) -> None:
    url, _, _ = server
    assert_not_served(client, url, Path("/etc/passwd"), "root:")
    assert_not_served(client, url, Path("/proc/self/environ"), "PATH=")


def test_an_arbitrary_file_is_not_served(server, client, secret) -> None:
    url, _, _ = server
    path, token = secret
    assert_not_served(client, url, path, token)


def test_index_and_repository_files_are_not_served(server, client) -> None:
    url, sanad, _ = server
    gen = sanad.store.root / sanad.store.current()
    assert_not_served(client, url, gen / "archive.sqlite", "SQLite format 3")
    assert_not_served(client, url, sanad.store.root / "CURRENT", '"generation"')
    assert_not_served(client, url, REPO / "pyproject.toml", "[build-system]")
    assert_not_served(client, url, Path.cwd() / "pyproject.toml", "[build-system]")


# -- uploads: size, type, names, and nothing kept ---------------------------------------------------------
def upload(
    client: httpx.Client, url: str, name: str, data: bytes, ctype: str = "text/plain"
) -> httpx.Response:
    return client.post(url + "gradio_api/upload", files={"files": (name, data, ctype)})


def add_uploaded(url: str, paths: list[str]) -> str:
    from gradio_client import Client, handle_file

    report, _, _ = Client(url, verbose=False).predict([handle_file(p) for p in paths], api_name="/add")
    return str(report)


def test_oversized_upload_is_refused_at_the_door(server, client) -> None:
    url, sanad, _ = server
    before = fingerprint(sanad.store.root)
    r = upload(client, url, "huge.txt", b"a" * int(UPLOAD_MB * 10 * 1e6 + 1000))
    assert r.status_code == 413 and "maximum allowed size" in r.text
    assert fingerprint(sanad.store.root) == before


def test_uploads_over_the_per_file_limit_or_of_other_types_are_refused_by_name(
    server, client, tmp_path: Path
) -> None:
    url, sanad, _ = server
    before = fingerprint(sanad.store.root)
    files = {
        "over-limit.txt": b"word "
        * int(UPLOAD_MB * 1e6 / 4),  # past the 50 kB limit, under the door's 500 kB
        "tool.exe": b"MZ\x90\x00\x03",
        "page.html": b"<html><script>alert(1)</script></html>",
        "image.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "no-suffix": b"plain words",
        "binary.txt": b"\x00\x01\x02\x03" * 100,
    }
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    report = add_uploaded(url, paths)
    assert "Refused" in report
    for name in files:
        assert name in report
    assert "too large" in report and ".txt" in report and "binary" in report
    assert "<script>" not in report and "onload=" not in report  # names and reasons shown as text
    assert fingerprint(sanad.store.root) == before  # nothing was indexed


def test_uploaded_names_cannot_choose_where_files_go(server, client, tmp_path: Path) -> None:
    url, _, _ = server
    target = tmp_path / "escaped.txt"
    name = "../" * 12 + str(target).lstrip("/")
    r = upload(client, url, name, b"escape attempt")
    assert r.status_code == 200
    stored = Path(r.json()[0])
    assert not target.exists()
    assert stored.name == "escaped.txt" and ".." not in stored.parts


def test_an_indexed_upload_is_not_served_back(server, client, tmp_path: Path) -> None:
    url, sanad, _ = server
    r = upload(client, url, "ferry-note.txt", b"The night ferry now leaves at 23:40 from the old quay.\n")
    assert r.status_code == 200
    stored = r.json()[0]
    # The web page adds what it has uploaded; the cached copy goes away once it is indexed.
    from gradio_client import Client

    report, _, _ = Client(url, verbose=False).predict(
        [{"path": stored, "meta": {"_type": "gradio.FileData"}, "orig_name": "ferry-note.txt"}],
        api_name="/add",
    )
    assert "ferry-note.txt" in str(report) and "Indexed" in str(report)
    assert sanad.snapshot().index.doc_index("ferry-note.txt") is not None
    assert not Path(stored).exists()
    g = client.get(url + f"gradio_api/file={stored}")
    assert g.status_code in (403, 404) and "night ferry" not in g.text


def test_uploaded_markup_is_never_served_as_a_page(server, client) -> None:
    """Gradio serves a visitor's own fresh uploads back; markup must come as a download, not a page."""
    url, _, _ = server
    for name, data, ctype in [
        ("page.html", b"<script>alert(1)</script>", "text/html"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
    ]:
        r = upload(client, url, name, data, ctype)
        if r.status_code != 200:
            continue  # refused outright is fine too
        g = client.get(url + f"gradio_api/file={r.json()[0]}")
        ctype_back = g.headers.get("content-type", "")
        assert "html" not in ctype_back and "svg" not in ctype_back, (name, ctype_back)
        assert g.headers.get("content-disposition", "").startswith("attachment") or g.status_code != 200


# -- optional login -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def locked_server(sanad_home: Path) -> Iterator[str]:
    env = {"SANAD_USERNAME": "editor", "SANAD_PASSWORD": "s3cret pass"}  # as `sanad chat` would read them
    demo, url, _, _ = serve(sanad_home / "web-security-login", env)
    yield url
    demo.close()


def test_login_closes_the_page_and_the_api(locked_server: str, client) -> None:
    url = locked_server
    r = client.post(url + "gradio_api/call/ask", json={"data": ["Who leads the delegation?"]})
    assert r.status_code == 401
    assert (
        client.post(url + "gradio_api/upload", files={"files": ("a.txt", b"x", "text/plain")}).status_code
        == 401
    )
    assert client.get(url + "config").status_code == 401
    page = client.get(url)  # only the app shell, which shows a login form; none of the app itself
    assert "sanad-header" not in page.text and "sanad-chat" not in page.text


def test_wrong_password_is_refused_and_the_right_one_opens(locked_server: str, client) -> None:
    url = locked_server
    bad = client.post(url + "login", data={"username": "editor", "password": "wrong"})
    assert bad.status_code == 400
    assert client.post(url + "gradio_api/call/ask", json={"data": ["x"]}).status_code == 401
    good = client.post(url + "login", data={"username": "editor", "password": "s3cret pass"})
    assert good.status_code == 200 and good.json() == {"success": True}
    r = client.post(url + "gradio_api/call/ask", json={"data": ["كم طائرة حربية دمرت منذ بداية الحرب؟"]})
    assert r.status_code == 200 and "event_id" in r.json()
