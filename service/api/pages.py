"""List answers: a JSON array of rows; the total in X-Total-Count (X-Total-Count-Exact
says whether it is a lower bound); the next page, when there is one, in a
`Link: <…>; rel="next"` header whose URL carries an opaque `after` cursor.

A cursor holds the sort key of the last row of its page, so the next page starts
right after it through an index, whatever the depth, and rows inserted meanwhile
are neither repeated nor skipped. It names its list; a cursor of another list is a
400. It carries no ids of its own (a foreign cursor only positions the caller in
their own rows)."""

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar
from urllib.parse import quote, unquote_plus

import msgspec
from litestar import Request, Response
from litestar.exceptions import ValidationException

from service.db import Listing

T = TypeVar("T")
K = TypeVar("K")

TOTAL_HEADER = "X-Total-Count"
EXACT_HEADER = "X-Total-Count-Exact"
LIST_HEADERS = (TOTAL_HEADER, EXACT_HEADER, "Link")
# What a query string may hold as it is: RFC 3986's unreserved characters, its
# sub-delimiters, ':', '@', '/', '?' and '%' (escapes the client made stay as they are).
_URL_SAFE = "-._~!$&'()*+,;=:@/?%"
# POST /search pages by this header's cursor (a POST body has no Link to follow).
NEXT_HEADER = "X-Next-After"


def _total_headers(listing: Listing[Any]) -> dict[str, str]:
    return {
        TOTAL_HEADER: str(listing.total),
        EXACT_HEADER: "true" if listing.exact else "false",
    }


def whole_response(listing: Listing[T]) -> Response[Sequence[T]]:
    """A list answered in one piece (no paging), with its total."""
    return Response(listing.items, headers=_total_headers(listing))


class Cursor(Generic[K]):
    """The cursor of one list: its name and the type of its sort key."""

    def __init__(self, name: str, key_type: Any) -> None:
        self.name = name
        self._decoder = msgspec.json.Decoder(tuple[str, key_type])

    def encode(self, key: K) -> str:
        raw = msgspec.json.encode((self.name, key))
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def decode(self, token: str) -> K:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            name, key = self._decoder.decode(raw)
        except (binascii.Error, ValueError, msgspec.DecodeError):
            raise ValidationException(
                "after: not a cursor; pass the one from the previous page's Link header"
            ) from None
        if name != self.name:
            raise ValidationException(
                f"after: a cursor of another list ({name}), not of {self.name}"
            )
        key_value: K = key
        return key_value


class Page:
    """A list request's paging: limit, offset or a cursor (`after`), and the request
    itself, to link the next page. Query functions are asked for one row more than
    the page holds: its presence says that a next page exists."""

    def __init__(self, request: Request[Any, Any, Any], limit: int, offset: int, after: str | None):
        if after is not None and offset:
            raise ValidationException("pass either offset or after, not both")
        self.request = request
        self.limit = limit
        self.offset = offset
        self.after_token = after

    @property
    def fetch(self) -> int:
        return self.limit + 1

    def after(self, cursor: Cursor[K]) -> K | None:
        return None if self.after_token is None else cursor.decode(self.after_token)

    def _next_url(self, name: str, value: str) -> str:
        """This request's URL with `name=value` in place of its `after` and `offset`.
        The other parameters are kept as the client wrote them, escaped only where
        the client left what a URL (and `<…>` in a Link header) cannot hold: parsing
        the query string and encoding it again cost ~5% of a 50-row page. `value`
        needs no escaping (a cursor is URL-safe base64, an offset digits)."""
        scope = self.request.scope
        kept = [
            quote(part, safe=_URL_SAFE)
            for part in scope["query_string"].decode("latin-1").split("&")
            if part and unquote_plus(part.partition("=")[0]) not in ("after", "offset")
        ]
        kept.append(f"{name}={value}")
        path = quote(scope.get("root_path", "") + scope["path"])
        return f"{path}?{'&'.join(kept)}"

    def respond(
        self,
        listing: Listing[T],
        cursor: Cursor[K] | None = None,
        key: Callable[[T], K] | None = None,
    ) -> Response[Sequence[T]]:
        items = listing.items
        headers = _total_headers(listing)
        if len(items) > self.limit:
            items = items[: self.limit]
            if cursor is not None and key is not None:
                url = self._next_url("after", cursor.encode(key(items[-1])))
            else:  # a short list: pages by offset
                url = self._next_url("offset", str(self.offset + self.limit))
            headers["Link"] = f'<{url}>; rel="next"'
        return Response(items, headers=headers)
