"""Splitting transcript text into overlapping chunks for retrieval.

Token counts are an estimate that needs no tokenizer download: about four characters
per token, the usual rule of thumb for English with OpenAI-style BPE tokenizers.
Chunks are cut on whitespace and keep the original text between their first and
last word, so line breaks survive."""

import math
import re
from collections.abc import Sequence
from typing import Any

import msgspec

from service.fields import ChunkText, NonNegativeInt

CHARS_PER_TOKEN = 4
# The most chunks one transcript may have, given or cut here: a bound on the work
# (and the rows) one request can cause.
MAX_CHUNKS = 20_000
_WORD = re.compile(r"\S+")


class ChunkingError(ValueError):
    """Chunks that must not be made as asked (the message says why, for a 400)."""


class NewChunk(msgspec.Struct, frozen=True):
    chunk_index: int
    chunk_text: str
    token_count: int
    metadata: dict[str, object] = {}


class GivenChunk(msgspec.Struct, forbid_unknown_fields=True):
    """A chunk a caller cut themselves (HTTP body or import line)."""

    chunk_index: NonNegativeInt
    chunk_text: ChunkText
    token_count: NonNegativeInt | None = None
    metadata: dict[str, Any] = {}


def from_given(items: Sequence[GivenChunk]) -> list[NewChunk]:
    """Chunks as given, with estimated token counts where none came; more than
    MAX_CHUNKS, or a repeated chunk_index, raises ChunkingError naming it."""
    if len(items) > MAX_CHUNKS:
        raise ChunkingError(f"chunks: at most {MAX_CHUNKS} per transcript, got {len(items)}")
    seen: set[int] = set()
    for item in items:
        if item.chunk_index in seen:
            raise ChunkingError(f"chunks: chunk_index {item.chunk_index} appears twice")
        seen.add(item.chunk_index)
    return [
        NewChunk(
            c.chunk_index,
            c.chunk_text,
            estimate_tokens(c.chunk_text) if c.token_count is None else c.token_count,
            c.metadata,
        )
        for c in items
    ]


def overlap_problem(overlap_tokens: int, target_tokens: int) -> str | None:
    """Each chunk must move on by more than half its size: an overlap of half or
    more would multiply the rows a text makes (10-token chunks overlapping by 9 make
    a chunk per word)."""
    if not overlap_tokens >= 0 or 2 * overlap_tokens >= target_tokens:
        return (
            f"chunk_overlap_tokens ({overlap_tokens}) must be below half of "
            f"chunk_tokens ({target_tokens})"
        )
    return None


def default_overlap(configured_overlap: int, target_tokens: int) -> int:
    """The configured overlap, shrunk below half the target when a caller asks for
    chunks smaller than the configuration's."""
    return min(configured_overlap, (target_tokens - 1) // 2)


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def chunk_text(text: str, *, target_tokens: int, overlap_tokens: int) -> list[NewChunk]:
    """Chunks of about `target_tokens`, each starting `overlap_tokens` before the
    previous one ended. ValueError, before any work, for an overlap of half the
    target or more, or for a text that would make more than MAX_CHUNKS chunks."""
    if (problem := overlap_problem(overlap_tokens, target_tokens)) is not None:
        raise ChunkingError(problem)
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    if not words:
        return []
    # Words, not characters, are the unit of the cut: average English word plus its
    # space is about 1.33 tokens at four characters per token.
    chars = sum(end - start + 1 for start, end in words)
    tokens_per_word = max(chars / len(words) / CHARS_PER_TOKEN, 1e-9)
    size = max(1, round(target_tokens / tokens_per_word))
    overlap = min(size - 1, round(overlap_tokens / tokens_per_word))
    stride = size - overlap
    if (planned := math.ceil(max(len(words) - overlap, 1) / stride)) > MAX_CHUNKS:
        raise ChunkingError(
            f"this text would make {planned} chunks at chunk_tokens={target_tokens}; at most "
            f"{MAX_CHUNKS} per transcript: use larger chunks"
        )
    chunks = []
    for index, first in enumerate(range(0, len(words), stride)):
        last = min(first + size, len(words)) - 1
        piece = text[words[first][0] : words[last][1]]
        chunks.append(NewChunk(index, piece, estimate_tokens(piece)))
        if last == len(words) - 1:
            break
    return chunks
