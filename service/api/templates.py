"""Post templates: the caller's own plus the built-ins every user sees."""

from collections.abc import Sequence
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import UNSET, UnsetType

from service.api.created import created
from service.api.deps import CurrentUser, Db, Paging
from service.api.patching import split
from service.fields import NON_BLANK
from service.queries import templates
from service.queries.generated import templates as template_columns
from service.queries.templates import Template, TemplateType

Name = Annotated[template_columns.TemplateName, NON_BLANK]
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
    template_name: Name | UnsetType = UNSET
    template_content: Body | UnsetType = UNSET
    variables: Variables | UnsetType = UNSET
    is_default: bool | UnsetType = UNSET


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
    async def create_one(
        self, data: JSONBody[TemplateIn], db: Db, user: CurrentUser
    ) -> Response[Template]:
        """Creates a template owned by the caller (built-ins cannot be made here). `is_default:
        true` makes it the caller's default of its type and retires the previous one. A second
        template of the same type and name is 409."""
        template = await templates.create(
            db,
            user_id=user.id,
            template_type=data.template_type,
            template_name=data.template_name,
            template_content=data.template_content,
            variables=data.variables,
            is_default=data.is_default,
        )
        return created(template, f"/templates/{template.id}")

    @get("/", summary="The caller's templates, then the built-ins")
    async def list_all(
        self, db: Db, user: CurrentUser, page: Paging, template_type: TypeFilter = None
    ) -> Response[Sequence[Template]]:
        """The caller's templates, then the built-ins every user sees, each by type and name; `type`
        narrows to one type. Pages by `limit` and `offset` (the `Link: rel="next"` header carries
        the next offset); `X-Total-Count` is exact."""
        found = await templates.list_visible(
            db, user_id=user.id, template_type=template_type, limit=page.fetch, offset=page.offset
        )
        return page.respond(found)

    @get(
        "/resolve",
        summary="The caller's default template of a type, else the built-in one",
        opt={"also_answers": [404]},
    )
    async def resolve(
        self,
        db: Db,
        user: CurrentUser,
        template_type: Annotated[TemplateType, QueryParameter(name="type")],
    ) -> Template:
        """The template to use for `type`: the caller's default of that type, else the built-in
        default; 404 when neither exists."""
        found = await templates.resolve(db, user_id=user.id, template_type=template_type)
        if found is None:
            raise NotFoundException(f"no default template of type {template_type}")
        return found

    @get("/{template_id:uuid}", summary="A template of the caller's, or a built-in")
    async def get_one(self, template_id: FromPath[UUID], db: Db, user: CurrentUser) -> Template:
        """A template the caller owns, or a built-in; another user's is 404."""
        found = await templates.get_by_id(db, template_id=template_id, user_id=user.id)
        if found is None:
            raise _not_found(template_id)
        return found

    @patch(
        "/{template_id:uuid}",
        summary="Edit a template (built-ins: admins)",
        opt={"also_answers": [403]},
    )
    async def update_one(
        self, template_id: FromPath[UUID], data: JSONBody[TemplatePatch], db: Db, user: CurrentUser
    ) -> Template:
        """A key left out stays; `null` is 400 and `template_type` cannot change. `is_default: true`
        retires the owner's previous default of the type. A built-in only an admin may change (403);
        another user's template is 404."""
        owner = await _owner_for_change(db, template_id, user)
        values, _ = split(data)
        updated = await templates.update(db, template_id=template_id, owner_id=owner, **values)
        if updated is None:
            raise _not_found(template_id)
        return updated

    @delete(
        "/{template_id:uuid}",
        summary="Delete a template of the caller's (built-ins: admins)",
        opt={"also_answers": [403]},
    )
    async def remove(self, template_id: FromPath[UUID], db: Db, user: CurrentUser) -> None:
        """A built-in only an admin may delete (403); another user's template is 404. Deleting the
        caller's default leaves /templates/resolve to answer the built-in one."""
        owner = await _owner_for_change(db, template_id, user)
        if not await templates.delete(db, template_id=template_id, owner_id=owner):
            raise _not_found(template_id)
