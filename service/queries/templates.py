from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from service.db import Executor, Listing, listing, one, sql

TemplateType = Literal["linkedin", "twitter", "blog", "email"]


class Template(msgspec.Struct, frozen=True, gc=False):
    id: UUID
    user_id: UUID | None
    template_type: str
    template_name: str
    template_content: str
    variables: list[Any]
    is_default: bool
    created_at: datetime
    updated_at: datetime


_CREATE = sql("templates/create")
_GET_BY_ID = sql("templates/get_by_id")
_LIST_VISIBLE = sql("templates/list_visible")
_COUNT_VISIBLE = sql("templates/count_visible")
_RESOLVE = sql("templates/resolve")
_EXISTS = sql("templates/exists")
_UPDATE = sql("templates/update")
_DELETE = sql("templates/delete")


async def create(
    db: Executor,
    *,
    user_id: UUID | None,
    template_type: TemplateType,
    template_name: str,
    template_content: str,
    variables: list[Any] | None = None,
    is_default: bool = False,
) -> Template:
    """user_id None creates a built-in template."""
    row = await db.fetchrow(
        _CREATE, user_id, template_type, template_name, template_content,
        variables or [], is_default,
    )  # fmt: skip
    return Template(*row)


async def get_by_id(db: Executor, *, template_id: UUID, user_id: UUID) -> Template | None:
    """The template if it is the user's own or a built-in."""
    return one(Template, await db.fetchrow(_GET_BY_ID, template_id, user_id))


async def list_visible(
    db: Executor,
    *,
    user_id: UUID,
    template_type: TemplateType | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[Template]:
    rows = await db.fetch(_LIST_VISIBLE, user_id, template_type, limit, offset)
    return listing(Template, rows)


async def count_visible(
    db: Executor, *, user_id: UUID, template_type: TemplateType | None = None
) -> int:
    result: int = await db.fetchval(_COUNT_VISIBLE, user_id, template_type)
    return result


async def resolve(db: Executor, *, user_id: UUID, template_type: TemplateType) -> Template | None:
    """The user's default template of a type, else the built-in default (seed's get_template)."""
    return one(Template, await db.fetchrow(_RESOLVE, user_id, template_type))


async def update(
    db: Executor,
    *,
    template_id: UUID,
    owner_id: UUID | None,
    template_name: str | None = None,
    template_content: str | None = None,
    variables: list[Any] | None = None,
    is_default: bool | None = None,
) -> Template | None:
    """owner_id None targets a built-in; the caller checks the right to do so."""
    row = await db.fetchrow(
        _UPDATE, template_id, owner_id, template_name, template_content, variables, is_default
    )
    return one(Template, row)


async def delete(db: Executor, *, template_id: UUID, owner_id: UUID | None) -> bool:
    return await db.fetchval(_DELETE, template_id, owner_id) is not None


async def exists(db: Executor, *, template_id: UUID, user_id: UUID) -> bool:
    """True for the user's own templates and the built-ins."""
    result: bool = await db.fetchval(_EXISTS, template_id, user_id)
    return result
