"""service/chunking.py: pure Python, no database."""

import itertools
import math

import pytest

from service.chunking import CHARS_PER_TOKEN, NewChunk, chunk_text, estimate_tokens

# 5-character words and one space: 6 characters, 1.5 estimated tokens a word.
WORDS = [f"w{i:04d}" for i in range(100)]
TEXT = " ".join(WORDS)


def words_of(chunk: NewChunk) -> list[str]:
    return chunk.chunk_text.split()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", 0), ("a", 1), ("abcd", 1), ("abcde", 2), ("x" * 400, 100), ("x" * 401, 101)],
)
async def test_estimate_tokens_is_ceil_of_a_quarter_of_the_length(text: str, expected: int) -> None:
    assert estimate_tokens(text) == expected
    assert estimate_tokens(text) == math.ceil(len(text) / CHARS_PER_TOKEN)


async def test_chunks_are_about_the_target_size() -> None:
    pieces = chunk_text(TEXT, target_tokens=30, overlap_tokens=6)

    # 30 tokens / 1.5 tokens a word = 20 words: 20 * 5 + 19 spaces = 119 chars = 30 tokens.
    assert [len(words_of(c)) for c in pieces] == [20] * len(pieces)
    assert all(c.token_count == 30 for c in pieces)


async def test_consecutive_chunks_overlap_by_the_overlap_tokens() -> None:
    pieces = chunk_text(TEXT, target_tokens=30, overlap_tokens=6)

    # 6 tokens / 1.5 tokens a word = 4 words shared by neighbours.
    for previous, following in itertools.pairwise(pieces):
        assert words_of(following)[:4] == words_of(previous)[-4:]
        assert words_of(following)[4] not in words_of(previous)


async def test_no_overlap_cuts_the_words_into_a_partition() -> None:
    pieces = chunk_text(TEXT, target_tokens=30, overlap_tokens=0)

    assert [w for c in pieces for w in words_of(c)] == WORDS
    assert len(pieces) == math.ceil(len(WORDS) / 20)


async def test_chunks_cover_every_word_in_order_and_end_at_the_last() -> None:
    pieces = chunk_text(TEXT, target_tokens=30, overlap_tokens=6)

    seen: list[str] = []
    for c in pieces:
        for word in words_of(c):
            if not seen or word > seen[-1]:
                seen.append(word)
    assert seen == WORDS
    assert words_of(pieces[-1])[-1] == WORDS[-1]
    # the last chunk is not a mere copy of the previous one's tail
    assert len(pieces) == 6


async def test_chunk_indexes_count_from_zero_in_order() -> None:
    pieces = chunk_text(TEXT, target_tokens=20, overlap_tokens=5)

    assert [c.chunk_index for c in pieces] == list(range(len(pieces)))
    assert len(pieces) > 3


async def test_token_count_is_the_estimate_of_each_chunk() -> None:
    text = "Short words, then considerably longer vocabulary appears. " * 40

    pieces = chunk_text(text, target_tokens=50, overlap_tokens=10)

    assert pieces
    assert all(c.token_count == estimate_tokens(c.chunk_text) for c in pieces)
    assert all(c.metadata == {} for c in pieces)


async def test_whitespace_inside_a_chunk_is_kept_verbatim() -> None:
    text = "first line\nsecond\tline  with   spaces\n\nnew paragraph here"

    (only,) = chunk_text(text, target_tokens=1000, overlap_tokens=0)

    assert only.chunk_text == text
    assert only.chunk_index == 0


async def test_chunks_are_slices_of_the_text_without_outer_whitespace() -> None:
    text = "\n  " + "\n".join(f"line {i} says something" for i in range(60)) + "  \n"

    pieces = chunk_text(text, target_tokens=25, overlap_tokens=5)

    assert len(pieces) > 1
    for c in pieces:
        assert c.chunk_text in text
        assert c.chunk_text == c.chunk_text.strip()
        assert "\n" in c.chunk_text


@pytest.mark.parametrize("text", ["", "   ", "\n\t \n"])
async def test_empty_or_blank_text_has_no_chunks(text: str) -> None:
    assert chunk_text(text, target_tokens=10, overlap_tokens=2) == []


async def test_text_shorter_than_the_target_is_one_chunk() -> None:
    assert chunk_text("  just a few words ", target_tokens=100, overlap_tokens=10) == [
        NewChunk(0, "just a few words", estimate_tokens("just a few words"))
    ]


async def test_a_word_longer_than_the_target_is_its_own_chunk() -> None:
    long_word = "x" * 200

    pieces = chunk_text(f"{long_word} {long_word}", target_tokens=5, overlap_tokens=0)

    assert [c.chunk_text for c in pieces] == [long_word, long_word]
    assert [c.token_count for c in pieces] == [50, 50]


@pytest.mark.parametrize(("target", "overlap"), [(10, 10), (10, 11), (10, -1), (0, 0)])
async def test_invalid_overlap_raises(target: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="overlap_tokens"):
        chunk_text(TEXT, target_tokens=target, overlap_tokens=overlap)
