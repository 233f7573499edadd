"""Validated field types shared by the HTTP bodies and the JSONL importer."""

from typing import Annotated

import msgspec

YOUTUBE_VIDEO_ID = r"^[A-Za-z0-9_-]{11}$"
YoutubeVideoId = Annotated[
    str, msgspec.Meta(pattern=YOUTUBE_VIDEO_ID, description="11 letters, digits, '-' or '_'")
]
YoutubeChannelId = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z0-9_-]{24}$",
        description="YouTube channel id: 24 letters, digits, '-' or '_' (UC…)",
    ),
]
Language = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
        max_length=35,
        description="BCP 47 tag: en, pt-BR, …",
    ),
]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=r"\S")]
LongText = Annotated[str, msgspec.Meta(max_length=100_000)]
ShortText = Annotated[str, msgspec.Meta(max_length=255)]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=500)]
NonNegativeInt = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
TranscriptText = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000_000, pattern=r"\S")]
# Full-text indexed: a tsvector holds at most 1 MB, about 750k characters of varied words.
ChunkText = Annotated[str, msgspec.Meta(min_length=1, max_length=500_000, pattern=r"\S")]
Email = Annotated[str, msgspec.Meta(max_length=255, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
