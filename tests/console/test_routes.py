"""The console's server side over real HTTP: the page, its translations, fonts, procedure names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.console.centre import Centre, running_centre


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Centre]:
    with running_centre(tmp_path_factory.mktemp("centre")) as c:
        yield c


def get(centre: Centre, path: str, **kw: object) -> requests.Response:
    return requests.get(f"{centre.url}{path}", timeout=10, **kw)  # type: ignore[arg-type]


def test_root_and_bare_path_lead_to_the_console(centre: Centre) -> None:
    for path in ("/", "/console"):
        resp = get(centre, path, allow_redirects=False)
        assert resp.status_code == 307 and resp.headers["location"] == "/console/"
    page = get(centre, "/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-i18n="Call next"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in ("console.js", "console.css"):
        resp = get(centre, f"/console/{asset}")
        assert resp.status_code == 200 and resp.headers["cache-control"] == "no-cache"


def test_translations_as_json(centre: Centre) -> None:
    vi = get(centre, "/console/i18n.json").json()
    assert vi["Call next"] == "Gọi số tiếp theo"
    assert vi["Offline: reconnecting…"] == "Mất kết nối: đang kết nối lại…"
    km = get(centre, "/console/i18n.json", params={"lang": "km"}).json()
    assert km["Call next"] == "ហៅលេខបន្ទាប់"
    bad = get(centre, "/console/i18n.json", params={"lang": "fr"})
    assert bad.status_code == 422 and bad.json()["error"] == "unknown_language"


def test_every_console_string_is_translated(centre: Centre) -> None:
    """Each data-i18n and _() msgid of the page has a vi and km text in the served catalogs."""
    import re

    from kiosk.server.routes.console import CONSOLE_DIR

    html = (CONSOLE_DIR / "index.html").read_text(encoding="utf-8")
    html += (CONSOLE_DIR.parent / "templates" / "signin.html").read_text(encoding="utf-8")
    js = "\n".join(p.read_text(encoding="utf-8") for p in sorted(CONSOLE_DIR.glob("*.js")))
    msgids = set(re.findall(r'data-i18n="([^"]+)"', html))
    msgids |= set(re.findall(r'\b_\("((?:[^"\\]|\\.)*)"', js))
    assert len(msgids) > 40
    for lang in ("vi", "km"):
        served = get(centre, "/console/i18n.json", params={"lang": lang}).json()
        missing = sorted(m for m in msgids if m not in served)
        assert not missing, f"{lang}: {missing}"


def test_fonts_are_served_and_nothing_else(centre: Centre) -> None:
    font = get(centre, "/console/fonts/KioskSansKhmer-Regular.ttf")
    assert font.status_code == 200 and font.headers["content-type"] == "font/ttf"
    assert font.content[:4] == b"\x00\x01\x00\x00"
    for name in ("OFL.txt", "..%2F..%2Fconfig%2Fcenter.toml", "NotoSans-Black.ttf"):
        resp = get(centre, f"/console/fonts/{name}")
        assert resp.status_code == 404, name
        assert resp.json()["error"]


def test_procedure_names_from_the_catalogue(centre: Centre) -> None:
    found = get(centre, "/console/procedures/1.001193").json()
    assert found == {
        "code": "1.001193",
        "name": {
            "vi": "Thủ tục đăng ký khai sinh",
            "km": "ការចុះបញ្ជីកំណើត",
            "en": "Birth registration",
        },
    }
    missing = get(centre, "/console/procedures/9.999999")
    assert missing.status_code == 404 and missing.json()["error"] == "unknown_procedure"


def test_the_page_loads_nothing_from_outside(centre: Centre) -> None:
    """No CDN: every URL in the page's files is relative to the server."""
    import re

    from kiosk.server.routes.console import CONSOLE_DIR

    for path in Path(CONSOLE_DIR).iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), path.name


def _module_urls(centre: Centre) -> set[str]:
    """Every script module the console loads: its entry and all it imports, transitively."""
    import re
    from urllib.parse import urljoin

    seen: set[str] = set()
    todo = [f"{centre.url}/console/console.js"]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        text = get(centre, url.removeprefix(centre.url)).text
        todo += [urljoin(url, m) for m in re.findall(r'^import .* from "([^"]+)";', text, re.M)]
    return seen


def test_every_script_module_is_javascript_and_revalidated(centre: Centre) -> None:
    """Browsers run a module only when served as JavaScript; after an update none is stale."""
    page = get(centre, "/console/")
    assert '<script type="module" src="console.js">' in page.text
    urls = _module_urls(centre)
    assert {u.rsplit("/", 1)[1] for u in urls} >= {"console.js", "api.js", "poll.js", "http.js"}
    for url in urls:
        path = url.removeprefix(centre.url)
        first = get(centre, path)
        assert first.status_code == 200, path
        assert first.headers["content-type"].startswith("text/javascript"), path
        assert first.headers["cache-control"] == "no-cache", path
        assert first.headers["x-content-type-options"] == "nosniff", path
        again = get(centre, path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, path


def test_the_console_and_the_terminal_share_one_head_and_are_revalidated(centre: Centre) -> None:
    heads = []
    for path in ("/console/", "/rate/", "/console/index.html"):
        page = get(centre, path)
        assert page.status_code == 200 and "{%" not in page.text, path
        head = page.text.split("<head>", 1)[1].split("</head>", 1)[0]
        heads.append([line for line in head.splitlines() if line.startswith("<meta")])
        assert page.headers["cache-control"] == "no-cache", path
        again = get(centre, path, headers={"If-None-Match": page.headers["etag"]})
        assert again.status_code == 304, path
    assert heads[0] == heads[1] and len(heads[0]) == 3
