"""The API docs: `GET /` leads to them, and every file their page loads comes from
the service itself (no CDN), without a token."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from litestar.testing import AsyncTestClient

DOCS = "/schema/swagger"


class References(HTMLParser):
    """The URLs a page loads: scripts, stylesheets and icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in {"script": ["src"], "link": ["href"], "img": ["src", "srcset"]}.get(tag, []):
            if found.get(name):
                self.urls.append(found[name] or "")


async def test_the_root_leads_to_the_docs_without_a_token(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] == DOCS
    followed = await client.get("/")
    assert followed.status_code == 200
    assert "text/html" in followed.headers["content-type"]


async def test_the_root_is_not_in_the_schema(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert "/" not in paths
    assert not [path for path in paths if path.startswith("/schema")]


@pytest.mark.parametrize("page", [DOCS, "/schema"])
async def test_every_file_of_the_docs_page_is_served_here(
    client: AsyncTestClient,  # type: ignore[type-arg]
    page: str,
) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    parser = References()
    parser.feed(response.text)
    assert len(parser.urls) >= 3, parser.urls  # the script, its preset, the stylesheet
    for url in parser.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"{url} is not on this service"
        asset = await client.get(urljoin(page, url))  # no Authorization header
        assert asset.status_code == 200, url
        assert asset.content, url
    assert "cdn" not in response.text.lower()


async def test_the_schema_downloads_stay(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    as_json = await client.get("/schema/openapi.json")
    assert as_json.status_code == 200 and as_json.json()["info"]["title"] == "tubebase"
    as_yaml = await client.get("/schema/openapi.yaml")
    assert as_yaml.status_code == 200
    assert yaml.safe_load(as_yaml.text)["info"]["title"] == "tubebase"


@pytest.mark.parametrize("site", ["redoc", "elements", "rapidoc", "scalar"])
async def test_no_page_that_would_load_from_a_cdn(
    client: AsyncTestClient,  # type: ignore[type-arg]
    site: str,
) -> None:
    assert (await client.get(f"/schema/{site}")).status_code == 404


async def test_an_unknown_asset_is_404(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    assert (await client.get("/schema/assets/nothing-here.js")).status_code == 404
