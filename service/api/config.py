"""Global settings: every user reads them, only admins write them."""

from collections.abc import Sequence
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, delete, get, put
from litestar.di import Provide
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import JSONBody, PathParameter

from service.api.deps import Admin, CurrentUser, Db, Paging, provide_admin
from service.fields import END
from service.queries import config
from service.queries.config import ConfigEntry

KEY_PATTERN = rf"^[A-Za-z0-9_.:-]+{END}"
Key = Annotated[str, PathParameter(min_length=1, max_length=100, pattern=KEY_PATTERN)]


class ConfigIn(msgspec.Struct, forbid_unknown_fields=True):
    value: Any
    description: Annotated[str, msgspec.Meta(max_length=10_000)] | None = None


class ConfigController(Controller):
    path = "/config"
    tags = ["config"]

    @get("/", summary="All settings")
    async def list_all(
        self, db: Db, user: CurrentUser, page: Paging
    ) -> Response[Sequence[ConfigEntry]]:
        """Every setting, sorted by key; any signed-in user may read them. Pages by `limit` and
        `offset` (the `Link: rel="next"` header carries the next offset); `X-Total-Count` is
        exact."""
        return page.respond(await config.list_all(db, limit=page.fetch, offset=page.offset))

    @get("/{key:str}", summary="A setting by key")
    async def get_one(self, key: Key, db: Db, user: CurrentUser) -> ConfigEntry:
        """The setting stored under `key`, readable by any signed-in user; an unknown key is 404."""
        found = await config.get(db, key=key)
        if found is None:
            raise NotFoundException(f"config key {key!r} not found")
        return found

    @put("/{key:str}", dependencies={"admin": Provide(provide_admin)}, summary="Set (admins)")
    async def put(self, key: Key, data: JSONBody[ConfigIn], db: Db, admin: Admin) -> ConfigEntry:
        """Creates or replaces the setting, answering 200 either way. `value` is any JSON but null
        (400: DELETE the key instead); a `description` left out or null keeps the stored one. Admins
        only (403)."""
        if data.value is None:
            raise ValidationException("value must not be null: DELETE the key instead")
        return await config.set_value(db, key=key, value=data.value, description=data.description)

    @delete("/{key:str}", dependencies={"admin": Provide(provide_admin)}, summary="Remove (admins)")
    async def remove(self, key: Key, db: Db, admin: Admin) -> None:
        """Deletes the setting; an unknown key is 404. Admins only (403)."""
        if not await config.delete(db, key=key):
            raise NotFoundException(f"config key {key!r} not found")
