"""GET /search: ranked full-text search over the caller's chunks, web-search syntax,
highlighted snippets, filters by video, channel and chunk metadata, pages."""

import json
from typing import Any
from urllib.parse import quote

import pytest

from tests.api.conftest import Account
from tests.api.helpers import (
    Client,
    Headers,
    assert_bad_request,
    create_channel,
    ingest,
    random_id,
    total,
)

HIT_FIELDS = {
    "chunk_id",
    "transcript_id",
    "video_id",
    "youtube_video_id",
    "video_title",
    "channel_id",
    "chunk_index",
    "chunk_text",
    "snippet",
    "rank",
}


async def search(client: Client, headers: Headers, q: str, **params: str) -> Any:
    query = "&".join([f"q={quote(q)}", *(f"{k}={quote(v)}" for k, v in params.items())])
    response = await client.get(f"/search?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response


async def ingest_chunks(
    client: Client, headers: Headers, texts: list[str], **fields: Any
) -> tuple[Any, list[str]]:
    """A transcript whose chunks are exactly `texts`; (transcript, chunk ids by index)."""
    given = [{"chunk_index": i, "chunk_text": t} for i, t in enumerate(texts)]
    transcript = await ingest(client, headers, " ".join(texts), chunks=given, **fields)
    response = await client.get(f"/transcripts/{transcript['id']}/chunks", headers=headers)
    return transcript, [c["id"] for c in response.json()]


def texts(response: Any) -> list[str]:
    return [hit["chunk_text"] for hit in response.json()]


# --- hits -------------------------------------------------------------------------------


async def test_a_hit_names_its_chunk_transcript_and_video(client: Client, alice: Account) -> None:
    channel = await create_channel(client, alice.headers)
    transcript, chunk_ids = await ingest_chunks(
        client,
        alice.headers,
        ["nothing here", "the platypus lays eggs and swims in rivers"],
        title="Odd mammals",
        channel_id=channel["id"],
    )

    response = await search(client, alice.headers, "platypus")

    assert total(response) == 1
    [hit] = response.json()
    assert set(hit) == HIT_FIELDS
    assert hit["chunk_id"] == chunk_ids[1]
    assert hit["chunk_index"] == 1
    assert hit["transcript_id"] == transcript["id"]
    assert hit["video_id"] == transcript["video_id"]
    assert hit["youtube_video_id"] == transcript["youtube_video_id"]
    assert hit["video_title"] == "Odd mammals"
    assert hit["channel_id"] == channel["id"]
    assert hit["chunk_text"] == "the platypus lays eggs and swims in rivers"
    assert "<mark>platypus</mark>" in hit["snippet"]
    assert hit["rank"] > 0


async def test_a_video_without_a_title_gives_a_null_title(client: Client, alice: Account) -> None:
    await ingest(client, alice.headers, "an untitled armadillo")

    [hit] = (await search(client, alice.headers, "armadillo")).json()

    assert hit["video_title"] is None
    assert hit["channel_id"] is None


async def test_search_stems_english_words(client: Client, alice: Account) -> None:
    await ingest(client, alice.headers, "the dogs were running through the gardens")

    response = await search(client, alice.headers, "dog runs garden")

    assert total(response) == 1
    assert response.json()[0]["snippet"].count("<mark>") >= 3


async def test_no_match_is_an_empty_page(client: Client, alice: Account) -> None:
    await ingest(client, alice.headers, "some words")

    response = await search(client, alice.headers, "xylophone")

    assert response.json() == []
    assert total(response) == 0


async def test_a_query_of_stop_words_only_is_an_empty_page_not_an_error(
    client: Client, alice: Account
) -> None:
    await ingest(client, alice.headers, "the and of a")

    response = await search(client, alice.headers, "the")

    assert response.json() == []
    assert total(response) == 0


@pytest.mark.parametrize("q", ["c++ & (x", "!!!", "a:b*", '"unclosed', "- -", "OR", "'; DROP"])
async def test_odd_query_syntax_never_fails(client: Client, alice: Account, q: str) -> None:
    await ingest(client, alice.headers, "c++ and x and b")

    response = await client.get(f"/search?q={quote(q)}", headers=alice.headers)

    assert response.status_code == 200, response.text
    assert total(response) == len(response.json())


# --- ranking ----------------------------------------------------------------------------


async def test_more_occurrences_rank_higher(client: Client, alice: Account) -> None:
    once = "the kraken rose from the deep sea near the old harbour town at night"
    thrice = "kraken kraken the deep sea near the old harbour kraken town at night"
    five = "kraken kraken kraken the deep sea kraken near the old harbour kraken"
    # Written weakest first, so neither insertion order nor ids explain the result.
    for text in (once, thrice, five):
        await ingest(client, alice.headers, text)

    response = await search(client, alice.headers, "kraken")

    assert texts(response) == [five, thrice, once]
    ranks = [hit["rank"] for hit in response.json()]
    assert ranks[0] > ranks[1] > ranks[2] > 0


async def test_matching_more_query_terms_ranks_higher(client: Client, alice: Account) -> None:
    one_term = "a lighthouse on the rocky coast"
    both_terms = "a lighthouse keeper on the rocky coast"
    await ingest(client, alice.headers, one_term)
    await ingest(client, alice.headers, both_terms)

    response = await search(client, alice.headers, "lighthouse OR keeper")

    assert texts(response) == [both_terms, one_term]


# --- web-search syntax ------------------------------------------------------------------


async def test_plain_words_must_all_match(client: Client, alice: Account) -> None:
    await ingest_chunks(
        client, alice.headers, ["quick brown fox", "brown quick bear", "quick red fox"]
    )

    response = await search(client, alice.headers, "quick brown")

    assert sorted(texts(response)) == ["brown quick bear", "quick brown fox"]


async def test_a_quoted_phrase_needs_the_words_together_in_order(
    client: Client, alice: Account
) -> None:
    await ingest_chunks(
        client,
        alice.headers,
        ["the quick brown fox jumps", "brown quick bear", "quick and brown"],
    )

    response = await search(client, alice.headers, '"quick brown"')

    assert texts(response) == ["the quick brown fox jumps"]
    assert total(response) == 1


async def test_or_takes_either_word(client: Client, alice: Account) -> None:
    await ingest_chunks(client, alice.headers, ["apple pie", "banana split", "cherry tart"])

    upper = await search(client, alice.headers, "apple OR banana")
    lower = await search(client, alice.headers, "apple or banana")

    assert sorted(texts(upper)) == ["apple pie", "banana split"]
    assert sorted(texts(lower)) == ["apple pie", "banana split"]


async def test_minus_excludes_a_word(client: Client, alice: Account) -> None:
    await ingest_chunks(client, alice.headers, ["apple pie", "apple crumble", "pie crust"])

    response = await search(client, alice.headers, "apple -pie")

    assert texts(response) == ["apple crumble"]
    assert total(response) == 1


async def test_phrase_or_and_minus_combine(client: Client, alice: Account) -> None:
    await ingest_chunks(
        client,
        alice.headers,
        [
            "machine learning with python",
            "deep learning with rust",
            "machine learning with rust",
            "learning machine tools",
        ],
    )

    # As in PostgreSQL's websearch_to_tsquery, the minus binds to its neighbour before
    # OR does: ("machine learning") OR (deep AND NOT rust).
    response = await search(client, alice.headers, '"machine learning" OR deep -rust')
    narrowed = await search(client, alice.headers, '"machine learning" -rust')

    assert sorted(texts(response)) == ["machine learning with python", "machine learning with rust"]
    assert texts(narrowed) == ["machine learning with python"]


# --- snippets ---------------------------------------------------------------------------


async def test_snippet_marks_every_matched_word(client: Client, alice: Account) -> None:
    await ingest(client, alice.headers, "saturn has rings and jupiter has moons")

    [hit] = (await search(client, alice.headers, "saturn jupiter")).json()

    assert "<mark>saturn</mark>" in hit["snippet"]
    assert "<mark>jupiter</mark>" in hit["snippet"]
    assert hit["snippet"].count("<mark>") == hit["snippet"].count("</mark>") == 2


async def test_snippet_is_escaped_html_with_only_the_marks_as_markup(
    client: Client, alice: Account
) -> None:
    chunk = "comet: a <b> c and <img src=x onerror=alert(1)> & more words"
    await ingest_chunks(client, alice.headers, [chunk])

    response = await search(client, alice.headers, "comet")
    [hit] = response.json()

    assert response.headers["x-total-count-exact"] == "true"
    assert "a &lt;b&gt; c" in hit["snippet"]
    assert "&lt;img" in hit["snippet"]
    assert "&amp;" in hit["snippet"]
    assert "<mark>comet</mark>" in hit["snippet"]
    bare = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
    assert "<" not in bare and ">" not in bare
    assert hit["chunk_text"] == chunk


async def test_snippet_of_a_long_chunk_is_shorter_than_the_chunk(
    client: Client, alice: Account
) -> None:
    filler = " ".join(["lorem ipsum dolor sit amet"] * 60)
    chunk = f"{filler} nebula {filler}"
    await ingest_chunks(client, alice.headers, [chunk])

    [hit] = (await search(client, alice.headers, "nebula")).json()

    assert "<mark>nebula</mark>" in hit["snippet"]
    assert len(hit["snippet"]) < len(chunk)
    assert hit["chunk_text"] == chunk


# --- filters ----------------------------------------------------------------------------


async def test_filter_by_video(client: Client, alice: Account) -> None:
    first = await ingest(client, alice.headers, "comet tails glow")
    second = await ingest(client, alice.headers, "comet orbits")

    response = await search(client, alice.headers, "comet", video_id=first["video_id"])
    other = await search(client, alice.headers, "comet", video_id=second["video_id"])
    none = await search(client, alice.headers, "comet", video_id=random_id())

    assert [h["video_id"] for h in response.json()] == [first["video_id"]]
    assert total(response) == 1
    assert [h["video_id"] for h in other.json()] == [second["video_id"]]
    assert none.json() == []


async def test_filter_by_channel(client: Client, alice: Account) -> None:
    science = await create_channel(client, alice.headers, name="science")
    music = await create_channel(client, alice.headers, name="music")
    in_science = await ingest(client, alice.headers, "quasar light", channel_id=science["id"])
    await ingest(client, alice.headers, "quasar beats", channel_id=music["id"])
    await ingest(client, alice.headers, "quasar without channel")

    response = await search(client, alice.headers, "quasar", channel_id=science["id"])
    everything = await search(client, alice.headers, "quasar")

    assert [h["transcript_id"] for h in response.json()] == [in_science["id"]]
    assert total(response) == 1
    assert total(everything) == 3


async def test_filter_by_metadata_containment(client: Client, alice: Account) -> None:
    given = [
        {"chunk_index": 0, "chunk_text": "ada talks about engines", "metadata": {"speaker": "ada"}},
        {
            "chunk_index": 1,
            "chunk_text": "charles talks about engines",
            "metadata": {"speaker": "charles", "topics": ["math", "engines"]},
        },
        {
            "chunk_index": 2,
            "chunk_text": "ada again about engines",
            "metadata": {"speaker": "ada", "start": 12.5, "topics": ["engines"]},
        },
        {"chunk_index": 3, "chunk_text": "nobody about engines"},
    ]
    await ingest(client, alice.headers, "engines", chunks=given)

    ada = await search(client, alice.headers, "engines", metadata=json.dumps({"speaker": "ada"}))
    topic = await search(
        client, alice.headers, "engines", metadata=json.dumps({"topics": ["engines"]})
    )
    both = await search(
        client,
        alice.headers,
        "engines",
        metadata=json.dumps({"speaker": "ada", "topics": ["engines"]}),
    )
    nobody = await search(client, alice.headers, "engines", metadata=json.dumps({"speaker": "x"}))
    empty = await search(client, alice.headers, "engines", metadata="{}")

    assert sorted(texts(ada)) == ["ada again about engines", "ada talks about engines"]
    assert total(ada) == 2
    assert sorted(texts(topic)) == ["ada again about engines", "charles talks about engines"]
    assert texts(both) == ["ada again about engines"]
    assert nobody.json() == []
    assert total(empty) == 4


async def test_filters_combine(client: Client, alice: Account) -> None:
    channel = await create_channel(client, alice.headers)
    target = await ingest(
        client,
        alice.headers,
        "x",
        channel_id=channel["id"],
        chunks=[
            {"chunk_index": 0, "chunk_text": "orbit one", "metadata": {"speaker": "ada"}},
            {"chunk_index": 1, "chunk_text": "orbit two", "metadata": {"speaker": "bo"}},
        ],
    )
    await ingest(
        client,
        alice.headers,
        "x",
        channel_id=channel["id"],
        chunks=[{"chunk_index": 0, "chunk_text": "orbit three", "metadata": {"speaker": "ada"}}],
    )

    response = await search(
        client,
        alice.headers,
        "orbit",
        video_id=target["video_id"],
        channel_id=channel["id"],
        metadata='{"speaker": "ada"}',
    )

    assert texts(response) == ["orbit one"]


# --- pages ------------------------------------------------------------------------------


async def test_pages_follow_the_ranking_with_the_total(client: Client, alice: Account) -> None:
    # Chunk i mentions the word i+1 times, so the ranking is known: most mentions first.
    chunk_texts = [" ".join(["geyser"] * (i + 1) + ["steam"] * (6 - i)) for i in range(6)]
    await ingest_chunks(client, alice.headers, chunk_texts)

    everything = await search(client, alice.headers, "geyser")
    pages = [
        await search(client, alice.headers, "geyser", limit="2", offset=str(offset))
        for offset in (0, 2, 4, 6)
    ]

    assert texts(everything) == list(reversed(chunk_texts))
    assert [t for page in pages for t in texts(page)] == texts(everything)
    assert [len(page.json()) for page in pages] == [2, 2, 2, 0]
    assert {total(page) for page in pages} == {6}


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "param"),
    [
        pytest.param("", "q", id="missing-q"),
        pytest.param("q=", "q", id="empty-q"),
        pytest.param("q=%20%20", "q", id="blank-q"),
        pytest.param("q=" + "x" * 1001, "q", id="long-q"),
        pytest.param("q=x&metadata=" + quote("[1]"), "metadata", id="metadata-list"),
        pytest.param("q=x&metadata=" + quote('"ada"'), "metadata", id="metadata-string"),
        pytest.param("q=x&metadata=3", "metadata", id="metadata-number"),
        pytest.param("q=x&metadata=null", "metadata", id="metadata-null"),
        pytest.param("q=x&metadata=" + quote("{speaker"), "metadata", id="metadata-malformed"),
        pytest.param("q=x&video_id=abc", "video_id", id="bad-video-id"),
        pytest.param("q=x&channel_id=abc", "channel_id", id="bad-channel-id"),
        pytest.param("q=x&limit=0", "limit", id="limit-0"),
        pytest.param("q=x&limit=501", "limit", id="limit-501"),
        pytest.param("q=x&offset=-1", "offset", id="negative-offset"),
    ],
)
async def test_bad_input_is_400_naming_the_parameter(
    client: Client, alice: Account, query: str, param: str
) -> None:
    response = await client.get(f"/search?{query}", headers=alice.headers)

    assert_bad_request(response, param)
