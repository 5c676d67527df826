"""The web chat's surface, probed over HTTP against the real server on a free loopback port.

Bound to 127.0.0.1 unless told otherwise; uploads limited in size (by Gradio at the door, then per
file by Sanad) and in type; no file served back from an arbitrary path (system files, the index,
the repository, any upload, indexed or not); uploads never indexed swept from disk and the same
text never indexed twice; an optional login that really closes the API and cannot be guessed at
network speed; server errors shown without server paths. How answers render (HTML in articles and
questions shown as text) is tested in the browser (test_browser.py) and in test_render.py.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import time
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


def serve(
    index_dir: Path, environ: dict[str, str] | None = None, **changes
) -> tuple[object, str, object, Settings]:
    from assistant.sanad import Sanad
    from ui.app import start

    s = Settings.from_env(
        environ=environ or {}, index_dir=index_dir, port=free_port(), upload_max_mb=UPLOAD_MB, progress=False,
        **changes,
    )  # fmt: skip
    sanad = Sanad(s)
    sanad.ensure_index()
    demo, url = start(sanad, s)
    return demo, url, sanad, s


def upload_folder() -> Path:
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder())


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


def test_an_upload_never_indexed_is_not_served_back(server, client) -> None:
    """Gradio serves fresh uploads back to anyone with the link: the chat would be a file host."""
    url, _, _ = server
    r = upload(client, url, "parked.txt", b"PARKED-" + os.urandom(8).hex().encode())
    assert r.status_code == 200
    stored = r.json()[0]
    for path in (f"gradio_api/file={stored}", f"gradio_api/file={quote(stored)}", f"gradio_api/file{stored}"):
        g = client.get(url + path)
        assert g.status_code in (403, 404) and "PARKED-" not in g.text, path
    assert client.head(url + f"gradio_api/file={stored}").status_code == 404


def test_an_upload_never_indexed_is_deleted_from_disk(sanad_home: Path, client) -> None:
    demo, url, _, _ = serve(sanad_home / "web-security-sweep", upload_ttl_s=1.0)
    try:
        r = upload(client, url, "abandoned.txt", b"uploaded, never indexed")
        stored = Path(r.json()[0])
        assert stored.exists()
        deadline = time.monotonic() + 15
        while stored.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not stored.exists() and not stored.parent.exists()
    finally:
        demo.close()


def test_indexing_leaves_no_empty_temp_files(server, tmp_path: Path) -> None:
    url, _, _ = server
    (tmp_path / "tide-table.txt").write_text("High tide at the north pier is at 06:12 on Sunday.\n", encoding="utf-8")
    leftovers = lambda: {p.name for p in upload_folder().glob("tmp*") if p.is_file()}  # noqa: E731
    before = leftovers()
    report = add_uploaded(url, [str(tmp_path / "tide-table.txt")])
    assert "Indexed" in report
    assert leftovers() == before
    assert not [d for d in upload_folder().iterdir() if d.is_dir() and len(d.name) == 64 and not any(d.iterdir())]


def test_the_same_text_under_another_name_is_not_indexed_twice(server, tmp_path: Path) -> None:
    url, sanad, _ = server
    text = "The lighthouse museum opens its new wing on the first of May.\n"
    (tmp_path / "museum.txt").write_text(text, encoding="utf-8")
    assert "Indexed" in add_uploaded(url, [str(tmp_path / "museum.txt")])
    before = fingerprint(sanad.store.root)
    (tmp_path / "museum-copy.md").write_text(text, encoding="utf-8")
    (tmp_path / "museum-crlf.txt").write_bytes(text.replace("\n", "\r\n").encode())
    report = add_uploaded(url, [str(tmp_path / "museum-copy.md"), str(tmp_path / "museum-crlf.txt")])
    assert "Already indexed" in report and "Indexed ·" not in report
    assert report.count("the same text as museum.txt") == 2
    index = sanad.snapshot().index
    assert index.doc_index("museum-copy.md") is None and index.doc_index("museum-crlf.txt") is None
    assert fingerprint(sanad.store.root) == before


def test_the_add_endpoint_only_takes_files_uploaded_to_it(server, client, secret) -> None:
    """A raw API call naming a server path (not an upload) must not get that file indexed."""
    url, sanad, _ = server
    path, token = secret
    before = fingerprint(sanad.store.root)
    payload = [{"path": str(path), "meta": {"_type": "gradio.FileData"}, "orig_name": "secret.txt"}]
    event = client.post(url + "gradio_api/call/add", json={"data": [payload, ""]})
    if event.status_code == 200:
        body = client.get(url + f"gradio_api/call/add/{event.json()['event_id']}").text
        assert "event: error" in body and token not in body
    assert fingerprint(sanad.store.root) == before and path.exists()
    assert sanad.snapshot().index.doc_index("secret.txt") is None


# -- errors shown to visitors ---------------------------------------------------------------------------------
def test_a_damaged_index_is_reported_without_its_path(server, client, tmp_path: Path) -> None:
    from assistant.sanad import Sanad
    from eval.load import ask_over_http
    from ui.app import start
    from ui.handlers import Handlers

    _, sanad, settings = server
    root = tmp_path / "damaged-index"
    shutil.copytree(sanad.store.root, root, ignore=shutil.ignore_patterns(".lock"))
    for f in root.rglob("*"):  # scribble over the start of every index file, whatever its format
        if f.is_file() and f.name != ".lock":
            with f.open("r+b") as fh:
                fh.write(b"\x00garbage\xff" * 8)
    damaged = Sanad(settings.replace(index_dir=root))
    demo, url = start(damaged, damaged.settings.replace(port=free_port()))
    try:
        _, html = ask_over_http(client, url, "Who leads the delegation?", timeout=60)
    finally:
        demo.close()
    assert "sanad-error" in html and "damaged" in html and "sanad index rebuild" in html
    assert str(tmp_path) not in html and "damaged-index" not in html and "/tmp" not in html
    stats = Handlers(damaged, damaged.settings).stats()
    assert "sanad index rebuild" in stats and str(tmp_path) not in stats


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


@pytest.fixture(scope="module")
def throttled_server(sanad_home: Path) -> Iterator[str]:
    env = {"SANAD_USERNAME": "editor", "SANAD_PASSWORD": "s3cret pass"}
    demo, url, _, _ = serve(sanad_home / "web-security-throttle", env, login_max_failures=5, login_window_s=4.0)
    yield url
    demo.close()


def test_failed_logins_are_rate_limited_per_client(throttled_server: str) -> None:
    url = throttled_server
    wrong = {"username": "editor", "password": "guess"}
    right = {"username": "editor", "password": "s3cret pass"}
    with httpx.Client(timeout=60) as attacker:
        codes = [attacker.post(url + "login", data=wrong).status_code for _ in range(6)]
        assert codes == [400] * 5 + [429]
        locked = attacker.post(url + "login", data=right)  # even the right password waits its turn
        assert locked.status_code == 429 and 1 <= int(locked.headers["retry-after"]) <= 4
        # Another client (another source address) is not locked out by this one's failures.
        other = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(timeout=60, transport=other) as neighbour:
            assert neighbour.post(url + "login", data=right).status_code == 200
        time.sleep(int(locked.headers["retry-after"]) + 0.5)
        assert attacker.post(url + "login", data=right).status_code == 200
