"""Validated field types shared by the HTTP bodies and the JSONL importer."""

from datetime import UTC, date, datetime
from typing import Annotated

import msgspec

from service.queries.generated import channels as channel_columns
from service.queries.generated import transcripts as transcript_columns
from service.queries.generated import users as user_columns
from service.queries.generated import videos as video_columns

# A column's length limit is the schema's (varchar(n)): `tubebase db generate` writes
# it into the column's table module, and a field that writes the column takes it
# from there, adding only what the schema does not say.
#
# The patterns are also the OpenAPI document's, where they are read as ECMA-262
# regexes, whose \s differs from Python's: Python's also matches \x1c-\x1f and \x85,
# ECMA's also \ufeff. Spelling out the union makes "not a space" mean the same to a
# client checking against the schema and to the server.
# And Python's $ also matches before a last newline ("alice\n"), ECMA's does not: every
# pattern ends in END, a $ that no newline follows, which is the end in both.
_SPACE = r"\s\x1c-\x1f\x85\ufeff"
END = r"(?!\n)$"
NON_BLANK_PATTERN = rf"[^{_SPACE}]"
NON_BLANK = msgspec.Meta(min_length=1, pattern=NON_BLANK_PATTERN)
EMAIL_PATTERN = rf"^[^@{_SPACE}]+@[^@{_SPACE}]+\.[^@{_SPACE}]+{END}"
EMAIL = msgspec.Meta(pattern=EMAIL_PATTERN)


def at_least_non_blank(count: int) -> str:
    """A pattern for text with at least `count` characters that are not spaces."""
    return rf"^(?:[{_SPACE}]*[^{_SPACE}]){{{count}}}"


# A YouTube id's pattern fixes its length, and a wrong length gets the pattern's hint.
YOUTUBE_VIDEO_ID = rf"^[A-Za-z0-9_-]{{11}}{END}"
YoutubeVideoId = Annotated[
    str, msgspec.Meta(pattern=YOUTUBE_VIDEO_ID, description="11 letters, digits, '-' or '_'")
]
YoutubeChannelId = Annotated[
    str,
    msgspec.Meta(
        pattern=rf"^[A-Za-z0-9_-]{{24}}{END}",
        description="YouTube channel id: 24 letters, digits, '-' or '_' (UC…)",
    ),
]
ChannelName = Annotated[channel_columns.Name, NON_BLANK]
VideoChannelName = video_columns.ChannelName
Language = Annotated[
    transcript_columns.Language,
    msgspec.Meta(
        pattern=rf"^[A-Za-z]{{2,3}}(-[A-Za-z0-9]{{1,8}})*{END}",
        description="BCP 47 tag: en, pt-BR, …",
    ),
]
# A user's address; also the type of any other e-mail address a body carries.
Email = Annotated[user_columns.Email, EMAIL]
LongText = Annotated[str, msgspec.Meta(max_length=100_000)]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=500)]
NonNegativeInt = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
TranscriptText = Annotated[
    str, msgspec.Meta(min_length=1, max_length=10_000_000, pattern=NON_BLANK_PATTERN)
]
# Full-text indexed: a tsvector holds at most 1 MB, about 750k characters of varied words.
ChunkText = Annotated[
    str, msgspec.Meta(min_length=1, max_length=500_000, pattern=NON_BLANK_PATTERN)
]

# With a time zone; RFC 3339 such as 2024-05-01T09:30:00Z.
Timestamp = Annotated[datetime, msgspec.Meta(tz=True)]

_UTC_MIN = datetime.min.replace(tzinfo=UTC)
_UTC_MAX = datetime.max.replace(tzinfo=UTC)


def check_finite_times(body: msgspec.Struct) -> None:
    """For a body's __post_init__: every date and time field must be one PostgreSQL
    stores as given. The driver writes Python's first and last instants (years 1
    and 9999, in UTC) as -infinity and infinity, and an instant before year 1 in
    UTC cannot be written at all. ValueError (a 400) names the field."""
    for name in body.__struct_fields__:
        value = getattr(body, name)
        if isinstance(value, datetime):
            try:
                utc = value.astimezone(UTC)
            except OverflowError:
                utc = _UTC_MIN
            if not _UTC_MIN < utc < _UTC_MAX:
                raise ValueError(f"{name}: must be after year 1 and before year 9999 (UTC)")
        elif isinstance(value, date) and value in (date.min, date.max):
            raise ValueError(f"{name}: must be after 0001-01-01 and before 9999-12-31")
