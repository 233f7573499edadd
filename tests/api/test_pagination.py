"""Cursor pages over HTTP: every list that can grow without bound links its next page
(`Link: <…?after=…>; rel="next"`), cursor pages neither repeat nor skip a row while
rows are inserted between pages, totals say whether they are exact, and a cursor is
bound to its list and to nobody's rows but the caller's."""

import re
import uuid
from typing import Any

from litestar import Request

from service.api.pages import Page
from service.db import Listing
from tests.api.conftest import Account
from tests.api.helpers import (
    Client,
    Headers,
    assert_bad_request,
    create_conversation,
    create_video,
    ingest,
    total,
)

NEXT = re.compile(r'<([^>]+)>; rel="next"')


def next_url(response: Any) -> str | None:
    link = response.headers.get("link")
    if link is None:
        return None
    found = NEXT.search(link)
    assert found, link
    return found.group(1)


async def walk(client: Client, headers: Headers, url: str) -> list[list[Any]]:
    """Every page of a list, following its Link headers."""
    pages = []
    next_page: str | None = url
    while next_page is not None:
        response = await client.get(next_page, headers=headers)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        next_page = next_url(response)
    return pages


async def post_messages(
    client: Client, headers: Headers, chat: str, count: int, start: int
) -> None:
    body = [{"role": "user", "content": f"message {start + i}"} for i in range(count)]
    response = await client.post(f"/conversations/{chat}/messages/bulk", json=body, headers=headers)
    assert response.status_code == 201, response.text


async def test_messages_walk_by_cursor_in_order_with_an_exact_total(
    client: Client, alice: Account
) -> None:
    chat = (await create_conversation(client, alice.headers))["id"]
    await post_messages(client, alice.headers, chat, 23, 0)
    first = await client.get(f"/conversations/{chat}/messages?limit=5", headers=alice.headers)
    assert total(first) == 23
    assert first.headers["x-total-count-exact"] == "true"
    link = next_url(first)
    assert link is not None and "after=" in link and "limit=5" in link and "offset" not in link
    pages = await walk(client, alice.headers, f"/conversations/{chat}/messages?limit=5")
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    contents = [m["content"] for page in pages for m in page]
    assert contents == [f"message {i}" for i in range(23)]


async def test_cursor_pages_never_repeat_or_skip_while_messages_arrive(
    client: Client, alice: Account
) -> None:
    chat = (await create_conversation(client, alice.headers))["id"]
    await post_messages(client, alice.headers, chat, 12, 0)
    seen: list[str] = []
    url: str | None = f"/conversations/{chat}/messages?limit=4"
    written = 12
    while url is not None:
        response = await client.get(url, headers=alice.headers)
        seen.extend(m["content"] for m in response.json())
        url = next_url(response)
        if written < 20:  # new messages land between pages
            await post_messages(client, alice.headers, chat, 4, written)
            written += 4
    assert seen == [f"message {i}" for i in range(written)]


async def test_video_pages_newest_first_never_repeat_or_skip_while_videos_are_added(
    client: Client, alice: Account
) -> None:
    before = [await create_video(client, alice.headers) for _ in range(9)]
    seen: list[str] = []
    url: str | None = "/videos?limit=4"
    added = []
    while url is not None:
        response = await client.get(url, headers=alice.headers)
        assert response.status_code == 200, response.text
        seen.extend(v["id"] for v in response.json())
        url = next_url(response)
        added.append(await create_video(client, alice.headers))  # newer: before the cursor
    assert sorted(seen) == sorted(v["id"] for v in before)
    assert len(seen) == len(set(seen)) == 9


async def test_chunks_of_a_transcript_walk_by_cursor(client: Client, alice: Account) -> None:
    given = [{"chunk_index": i, "chunk_text": f"piece {i}"} for i in range(11)]
    transcript = await ingest(client, alice.headers, "the whole text", chunks=given)
    pages = await walk(client, alice.headers, f"/transcripts/{transcript['id']}/chunks?limit=4")
    assert [c["chunk_index"] for page in pages for c in page] == list(range(11))


async def test_search_pages_by_cursor_follow_the_ranking(client: Client, alice: Account) -> None:
    given = [
        {"chunk_index": i, "chunk_text": " ".join(["kestrel"] * (1 + i % 4) + ["filler"] * i)}
        for i in range(14)
    ]
    await ingest(client, alice.headers, "the whole text", chunks=given)
    whole = await client.get("/search?q=kestrel&limit=100", headers=alice.headers)
    pages = await walk(client, alice.headers, "/search?q=kestrel&limit=3")
    assert [h["chunk_id"] for page in pages for h in page] == [h["chunk_id"] for h in whole.json()]
    assert total(whole) == 14
    assert whole.headers["x-total-count-exact"] == "true"


async def test_lists_without_cursor_link_the_next_offset(client: Client, alice: Account) -> None:
    response = await client.get("/templates?limit=1", headers=alice.headers)
    assert response.status_code == 200
    link = next_url(response)
    assert link is not None and "offset=1" in link
    second = await client.get(link, headers=alice.headers)
    assert second.json() != response.json()


async def test_the_next_link_keeps_the_other_parameters_as_written(
    client: Client, alice: Account
) -> None:
    """Only `after` and `offset` change; a filter the client escaped stays escaped,
    whatever its order, so the next page is the same query one page on."""
    for tags in (["a b", "x"], ["a b"], ["a b", "y"], ["other"]):
        await create_video(client, alice.headers, tags=tags)
    first = await client.get("/videos?tag=a%20b&offset=0&limit=2", headers=alice.headers)
    link = next_url(first)

    assert link is not None and link.startswith("/videos?")
    assert link.split("?")[1].split("&")[:2] == ["tag=a%20b", "limit=2"]
    assert "offset" not in link and "after=" in link
    rest = await walk(client, alice.headers, link)
    assert len(first.json()) + sum(len(page) for page in rest) == 3 == total(first)


def test_the_next_link_escapes_what_the_client_left_unescaped() -> None:
    # Sent raw by a client that does not escape (httpx would): '>' and '"' would end
    # or break `<…>; rel="next"`.
    scope: Any = {
        "type": "http",
        "method": "GET",
        "path": "/videos",
        "root_path": "",
        "query_string": b'tag=a>b"c d&limit=1&offset=3&q=%3E',
        "headers": [],
    }
    page = Page(Request(scope), limit=1, offset=3, after=None)

    link = page.respond(Listing(["first", "second"], 2)).headers["Link"]

    assert link == '</videos?tag=a%3Eb%22c%20d&limit=1&q=%3E&offset=4>; rel="next"'


async def test_a_cursor_of_another_list_is_refused(client: Client, alice: Account) -> None:
    for _ in range(3):
        await create_video(client, alice.headers)
    first = await client.get("/videos?limit=1", headers=alice.headers)
    link = next_url(first)
    assert link is not None
    cursor = link.split("after=")[1]
    response = await client.get(f"/transcripts?after={cursor}", headers=alice.headers)
    assert_bad_request(response, "after")
    assert "videos" in response.text


async def test_garbage_cursors_and_cursor_with_offset_are_400(
    client: Client, alice: Account
) -> None:
    for cursor in ("not-a-cursor", "eyJ4Ijo", "%00", "W10"):
        assert_bad_request(
            await client.get(f"/videos?after={cursor}", headers=alice.headers), "after"
        )
    for _ in range(2):
        await create_video(client, alice.headers)
    link = next_url(await client.get("/videos?limit=1", headers=alice.headers))
    assert link is not None
    response = await client.get(f"{link}&offset=3", headers=alice.headers)
    assert_bad_request(response, "offset")


async def test_another_users_cursor_shows_only_the_callers_rows(
    client: Client, alice: Account, bob: Account
) -> None:
    alices = [await create_video(client, alice.headers) for _ in range(4)]
    bobs = [await create_video(client, bob.headers) for _ in range(4)]
    link = next_url(await client.get("/videos?limit=1", headers=alice.headers))
    assert link is not None
    response = await client.get(link, headers=bob.headers)
    assert response.status_code == 200
    ids = {v["id"] for v in response.json()}
    assert ids <= {v["id"] for v in bobs}
    assert not ids & {v["id"] for v in alices}


async def test_another_users_parent_is_404_with_a_cursor_too(
    client: Client, alice: Account, bob: Account
) -> None:
    chat = (await create_conversation(client, alice.headers))["id"]
    await post_messages(client, alice.headers, chat, 3, 0)
    link = next_url(
        await client.get(f"/conversations/{chat}/messages?limit=1", headers=alice.headers)
    )
    assert link is not None
    assert (await client.get(link, headers=bob.headers)).status_code == 404


async def test_list_totals_past_the_cap_are_marked_inexact(
    client: Client, alice: Account, session_conn: Any
) -> None:
    from service.db import TOTAL_CAP

    await session_conn.execute(
        "INSERT INTO videos (user_id, youtube_video_id)"
        " SELECT $1, left(md5(n::text), 11) FROM generate_series(1, $2) AS n",
        uuid.UUID(alice.user["id"]),
        TOTAL_CAP + 5,
    )
    response = await client.get("/videos?limit=2", headers=alice.headers)
    assert total(response) == TOTAL_CAP
    assert response.headers["x-total-count-exact"] == "false"
    assert next_url(response) is not None
    narrowed = await client.get("/videos?status=queued", headers=alice.headers)
    assert total(narrowed) == 0
    assert narrowed.headers["x-total-count-exact"] == "true"
