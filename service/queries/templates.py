"""Templates: a user's own, and the built-ins (user_id None) everyone sees."""

from typing import Any, Literal
from uuid import UUID

from service.db import Executor, Listing
from service.queries.generated import templates as generated
from service.queries.generated.templates import Template as Template

TemplateType = Literal["linkedin", "twitter", "blog", "email"]

# get_by_id, exists: the user's own templates and the built-ins. resolve: the user's
# default template of a type, else the built-in default (the seed's get_template).
# update: owner_id None targets a built-in; the caller checks the right to do so.
get_by_id = generated.get_by_id
exists = generated.exists
resolve = generated.resolve
update = generated.update
count_visible = generated.count_visible


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
    return await generated.create(
        db, user_id=user_id, template_type=template_type, template_name=template_name,
        template_content=template_content, variables=variables or [], is_default=is_default,
    )  # fmt: skip


async def list_visible(
    db: Executor,
    *,
    user_id: UUID,
    template_type: TemplateType | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[Template]:
    total, items = await generated.list_visible(
        db, user_id=user_id, template_type=template_type, limit=limit, offset=offset
    )
    return Listing(items, total)


delete = generated.delete
