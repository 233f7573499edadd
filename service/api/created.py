"""Answers that store something: 201 with a Location naming the new resource, or
200 when the request found the resource already there (idempotent adds)."""

from typing import TypeVar

from litestar import Response
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

T = TypeVar("T")


def created(resource: T, location: str, *, new: bool = True) -> Response[T]:
    if not new:
        return Response(resource, status_code=HTTP_200_OK)
    return Response(resource, status_code=HTTP_201_CREATED, headers={"Location": location})
