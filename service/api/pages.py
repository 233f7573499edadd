"""List answers: a JSON array of rows, the total in X-Total-Count."""

from collections.abc import Sequence
from typing import TypeVar

from litestar import Response

T = TypeVar("T")

TOTAL_HEADER = "X-Total-Count"


def page_response(items: Sequence[T], total: int) -> Response[Sequence[T]]:
    return Response(items, headers={TOTAL_HEADER: str(total)})
