"""The chat page is served by the app itself, with every asset local (it must work offline)."""

import re

from fastapi.testclient import TestClient

from api.pages import STATIC_DIR


def test_root_serves_the_chat_page(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/app.js">' in response.text


def test_every_asset_the_page_loads_is_served_by_the_app(client: TestClient) -> None:
    html = client.get("/").text
    modules = {p.name for p in STATIC_DIR.glob("*.js")}
    imported = {m for js in STATIC_DIR.glob("*.js") for m in re.findall(r'from "\./([\w.]+)"', js.read_text())}
    assert imported <= modules
    for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', html) + [f"/static/{m}" for m in modules]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].split(";")[0] in {"text/css", "text/javascript",
                                                                  "application/javascript"}, path


def test_no_asset_reaches_outside_the_app() -> None:
    for asset in STATIC_DIR.iterdir():
        assert not re.search(r"(?:src|href|url\()\s*=?\s*[\"']?(?:https?:)?//", asset.read_text()), asset.name


def test_the_page_is_not_listed_in_the_api_docs(client: TestClient) -> None:
    assert "/" not in client.get("/openapi.json").json()["paths"]
