"""Post templates: the caller's own plus the built-ins every user sees."""

from collections.abc import Sequence
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, JSONBody, QueryParameter

from service.api.deps import CurrentUser, Db, Paging
from service.queries import templates
from service.queries.templates import Template, TemplateType

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=r"\S")]
Body = Annotated[str, msgspec.Meta(min_length=1, max_length=100_000)]
Variables = Annotated[list[Any], msgspec.Meta(max_length=200)]
TypeFilter = Annotated[
    TemplateType | None, QueryParameter(name="type", description="linkedin, twitter, blog or email")
]


class TemplateIn(msgspec.Struct, forbid_unknown_fields=True):
    template_type: TemplateType
    template_name: Name
    template_content: Body
    variables: Variables = []
    is_default: bool = False


class TemplatePatch(msgspec.Struct, forbid_unknown_fields=True):
    template_name: Name | None = None
    template_content: Body | None = None
    variables: Variables | None = None
    is_default: bool | None = None


def _not_found(template_id: UUID) -> NotFoundException:
    return NotFoundException(f"template {template_id} not found")


async def _owner_for_change(db: Db, template_id: UUID, user: CurrentUser) -> UUID | None:
    """Whose template the caller may change: their own, or a built-in if they are an admin."""
    found = await templates.get_by_id(db, template_id=template_id, user_id=user.id)
    if found is None:
        raise _not_found(template_id)
    if found.user_id is None and not user.is_admin:
        raise PermissionDeniedException("built-in templates can only be changed by an admin")
    return found.user_id


class TemplateController(Controller):
    path = "/templates"
    tags = ["templates"]

    @post("/", summary="Create a template of the caller's")
    async def create_one(self, data: JSONBody[TemplateIn], db: Db, user: CurrentUser) -> Template:
        return await templates.create(
            db,
            user_id=user.id,
            template_type=data.template_type,
            template_name=data.template_name,
            template_content=data.template_content,
            variables=data.variables,
            is_default=data.is_default,
        )

    @get("/", summary="The caller's templates, then the built-ins")
    async def list_all(
        self, db: Db, user: CurrentUser, page: Paging, template_type: TypeFilter = None
    ) -> Response[Sequence[Template]]:
        found = await templates.list_visible(
            db, user_id=user.id, template_type=template_type, limit=page.fetch, offset=page.offset
        )
        return page.respond(found)

    @get("/resolve", summary="The caller's default template of a type, else the built-in one")
    async def resolve(
        self,
        db: Db,
        user: CurrentUser,
        template_type: Annotated[TemplateType, QueryParameter(name="type")],
    ) -> Template:
        found = await templates.resolve(db, user_id=user.id, template_type=template_type)
        if found is None:
            raise NotFoundException(f"no default template of type {template_type}")
        return found

    @get("/{template_id:uuid}")
    async def get_one(self, template_id: FromPath[UUID], db: Db, user: CurrentUser) -> Template:
        found = await templates.get_by_id(db, template_id=template_id, user_id=user.id)
        if found is None:
            raise _not_found(template_id)
        return found

    @patch("/{template_id:uuid}")
    async def update_one(
        self, template_id: FromPath[UUID], data: JSONBody[TemplatePatch], db: Db, user: CurrentUser
    ) -> Template:
        owner = await _owner_for_change(db, template_id, user)
        updated = await templates.update(
            db,
            template_id=template_id,
            owner_id=owner,
            template_name=data.template_name,
            template_content=data.template_content,
            variables=data.variables,
            is_default=data.is_default,
        )
        if updated is None:
            raise _not_found(template_id)
        return updated

    @delete("/{template_id:uuid}")
    async def remove(self, template_id: FromPath[UUID], db: Db, user: CurrentUser) -> None:
        owner = await _owner_for_change(db, template_id, user)
        if not await templates.delete(db, template_id=template_id, owner_id=owner):
            raise _not_found(template_id)
