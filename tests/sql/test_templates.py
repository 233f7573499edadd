import uuid
from typing import Any

import asyncpg
import pytest

from service.db import Listing
from service.queries import templates, users
from service.queries.templates import Template, TemplateType
from tests.sql.conftest import db_now

TYPES: list[TemplateType] = ["linkedin", "twitter", "blog", "email"]

VARIABLES: list[Any] = [
    "hook",
    {"name": "tone", "default": "friendly", "choices": ["friendly", "formal"]},
    "título — 標題",
]


async def builtins(db: asyncpg.Connection) -> list[Template]:
    rows = await db.fetch(
        """
        SELECT id, user_id, template_type, template_name, template_content, variables,
               is_default, created_at, updated_at
        FROM templates WHERE user_id IS NULL
        ORDER BY template_type, template_name, id
        """
    )
    return [Template(*row) for row in rows]


async def make(
    db: asyncpg.Connection,
    owner: users.User | None,
    template_type: TemplateType = "blog",
    name: str = "Mine",
    *,
    is_default: bool = False,
) -> Template:
    return await templates.create(
        db,
        user_id=None if owner is None else owner.id,
        template_type=template_type,
        template_name=name,
        template_content=f"{name}: {{body}}",
        variables=["body"],
        is_default=is_default,
    )


async def test_migration_seeds_one_default_builtin_per_type(db: asyncpg.Connection) -> None:
    defaults = [t for t in await builtins(db) if t.is_default]

    assert sorted(t.template_type for t in defaults) == sorted(TYPES)
    assert all(t.variables and t.template_content for t in defaults)


async def test_create_user_template(db: asyncpg.Connection, alice: users.User) -> None:
    created = await templates.create(
        db,
        user_id=alice.id,
        template_type="linkedin",
        template_name="Launch post",
        template_content="{hook}\n\n{tone}",
        variables=VARIABLES,
        is_default=True,
    )

    now = await db_now(db)
    assert isinstance(created, Template)
    assert created.user_id == alice.id
    assert created.template_type == "linkedin"
    assert created.template_name == "Launch post"
    assert created.template_content == "{hook}\n\n{tone}"
    assert created.variables == VARIABLES
    assert created.is_default is True
    assert created.created_at == now
    assert created.updated_at == now


async def test_create_defaults_to_no_variables_and_not_default(
    db: asyncpg.Connection, alice: users.User
) -> None:
    created = await templates.create(
        db, user_id=alice.id, template_type="email", template_name="Plain", template_content="x"
    )

    assert created.variables == []
    assert created.is_default is False


async def test_create_builtin_template(db: asyncpg.Connection, alice: users.User) -> None:
    created = await make(db, None, "twitter", "Extra built-in")

    assert created.user_id is None
    assert await templates.get_by_id(db, template_id=created.id, user_id=alice.id) == created


async def test_create_same_name_for_two_users_is_allowed(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    first = await make(db, alice, "blog", "Shared name")
    second = await make(db, bob, "blog", "Shared name")

    assert first.id != second.id


async def test_create_duplicate_name_for_one_user_raises(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await make(db, alice, "blog", "Twice")

    with pytest.raises(asyncpg.UniqueViolationError):
        async with db.transaction():
            await make(db, alice, "blog", "Twice")


async def test_get_by_id_returns_own_template(db: asyncpg.Connection, alice: users.User) -> None:
    created = await make(db, alice)

    assert await templates.get_by_id(db, template_id=created.id, user_id=alice.id) == created


async def test_get_by_id_returns_builtin_to_anyone(
    db: asyncpg.Connection, alice: users.User
) -> None:
    builtin = (await builtins(db))[0]

    assert await templates.get_by_id(db, template_id=builtin.id, user_id=alice.id) == builtin


async def test_get_by_id_hides_other_users_templates(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    created = await make(db, alice)

    assert await templates.get_by_id(db, template_id=created.id, user_id=bob.id) is None


async def test_get_by_id_unknown_returns_none(db: asyncpg.Connection, alice: users.User) -> None:
    assert await templates.get_by_id(db, template_id=uuid.uuid4(), user_id=alice.id) is None


async def test_list_visible_puts_own_templates_before_builtins(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    b = await make(db, alice, "twitter", "B")
    a = await make(db, alice, "twitter", "A")
    c = await make(db, alice, "blog", "C")
    await make(db, bob, "blog", "Bob's")

    listed = await templates.list_visible(db, user_id=alice.id, limit=100, offset=0)

    expected = [c, a, b, *await builtins(db)]
    assert listed == Listing(expected, len(expected))


async def test_list_visible_filters_by_type(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    mine = await make(db, alice, "email", "Mine")
    await make(db, alice, "blog", "Other type")
    await make(db, bob, "email", "Bob's")

    listed = await templates.list_visible(
        db, user_id=alice.id, template_type="email", limit=100, offset=0
    )

    email_builtins = [t for t in await builtins(db) if t.template_type == "email"]
    assert listed == Listing([mine, *email_builtins], 1 + len(email_builtins))


async def test_list_visible_paginates(db: asyncpg.Connection, alice: users.User) -> None:
    for name in ["n1", "n2", "n3", "n4"]:
        await make(db, alice, "blog", name)
    everything = (await templates.list_visible(db, user_id=alice.id, limit=100, offset=0)).items
    total = len(everything)

    async def page(offset: int) -> Listing[Template]:
        return await templates.list_visible(db, user_id=alice.id, limit=3, offset=offset)

    assert await page(0) == Listing(everything[:3], total)
    assert await page(3) == Listing(everything[3:6], total)
    assert await page(total) == Listing([], total)


async def test_list_visible_for_user_without_templates_shows_builtins(
    db: asyncpg.Connection, bob: users.User
) -> None:
    listed = await templates.list_visible(db, user_id=bob.id, limit=100, offset=0)

    shared = await builtins(db)
    assert listed == Listing(shared, len(shared))


async def test_count_visible_matches_list_visible(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    await make(db, alice, "blog", "One")
    await make(db, alice, "email", "Two")
    await make(db, bob, "blog", "Bob's")
    shared = len(await builtins(db))

    assert await templates.count_visible(db, user_id=alice.id) == shared + 2
    assert await templates.count_visible(db, user_id=bob.id) == shared + 1
    for template_type in TYPES:
        listed = await templates.list_visible(
            db, user_id=alice.id, template_type=template_type, limit=100, offset=0
        )
        counted = await templates.count_visible(db, user_id=alice.id, template_type=template_type)
        assert counted == len(listed.items) == listed.total


async def test_resolve_falls_back_to_builtin_default(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await make(db, alice, "linkedin", "Not default")

    resolved = await templates.resolve(db, user_id=alice.id, template_type="linkedin")

    assert resolved is not None
    assert resolved.user_id is None
    assert resolved.template_type == "linkedin"
    assert resolved.is_default is True


async def test_resolve_prefers_the_users_default(db: asyncpg.Connection, alice: users.User) -> None:
    mine = await make(db, alice, "twitter", "My thread", is_default=True)

    assert await templates.resolve(db, user_id=alice.id, template_type="twitter") == mine
    blog = await templates.resolve(db, user_id=alice.id, template_type="blog")
    assert blog is not None
    assert blog.user_id is None


async def test_resolve_ignores_other_users_defaults(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    await make(db, alice, "email", "Alice's default", is_default=True)

    resolved = await templates.resolve(db, user_id=bob.id, template_type="email")

    assert resolved is not None
    assert resolved.user_id is None


async def test_resolve_without_any_default_returns_none(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await db.execute("UPDATE templates SET is_default = false WHERE user_id IS NULL")

    assert await templates.resolve(db, user_id=alice.id, template_type="blog") is None


async def test_update_changes_given_fields(db: asyncpg.Connection, alice: users.User) -> None:
    created = await make(db, alice, "blog", "Before")

    updated = await templates.update(
        db,
        template_id=created.id,
        owner_id=alice.id,
        template_name="After",
        template_content="new {x}",
        variables=VARIABLES,
        is_default=True,
    )

    assert updated is not None
    assert (updated.template_name, updated.template_content) == ("After", "new {x}")
    assert updated.variables == VARIABLES
    assert updated.is_default is True
    assert updated.template_type == "blog"
    assert await templates.get_by_id(db, template_id=created.id, user_id=alice.id) == updated


async def test_update_with_nothing_keeps_the_template(
    db: asyncpg.Connection, alice: users.User
) -> None:
    created = await make(db, alice)

    assert await templates.update(db, template_id=created.id, owner_id=alice.id) == created


async def test_update_can_clear_variables_and_default(
    db: asyncpg.Connection, alice: users.User
) -> None:
    created = await make(db, alice, is_default=True)

    updated = await templates.update(
        db, template_id=created.id, owner_id=alice.id, variables=[], is_default=False
    )

    assert updated is not None
    assert updated.variables == []
    assert updated.is_default is False


async def test_update_of_another_users_template_returns_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    created = await make(db, alice)

    assert (
        await templates.update(db, template_id=created.id, owner_id=bob.id, template_name="X")
        is None
    )
    assert await templates.get_by_id(db, template_id=created.id, user_id=alice.id) == created


async def test_update_builtin_needs_null_owner(db: asyncpg.Connection, alice: users.User) -> None:
    builtin = (await builtins(db))[0]

    assert (
        await templates.update(db, template_id=builtin.id, owner_id=alice.id, template_name="X")
        is None
    )
    updated = await templates.update(
        db, template_id=builtin.id, owner_id=None, template_content="edited built-in"
    )
    assert updated is not None
    assert updated.user_id is None
    assert updated.template_content == "edited built-in"


async def test_update_with_null_owner_does_not_reach_user_templates(
    db: asyncpg.Connection, alice: users.User
) -> None:
    created = await make(db, alice)

    assert (
        await templates.update(db, template_id=created.id, owner_id=None, template_name="X") is None
    )


async def test_update_to_second_default_retires_the_first_and_resolve_follows(
    db: asyncpg.Connection, alice: users.User
) -> None:
    first = await make(db, alice, "blog", "First", is_default=True)
    second = await make(db, alice, "blog", "Second")
    assert await templates.resolve(db, user_id=alice.id, template_type="blog") == first

    updated = await templates.update(db, template_id=second.id, owner_id=alice.id, is_default=True)

    assert updated is not None
    assert updated.is_default is True
    retired = await templates.get_by_id(db, template_id=first.id, user_id=alice.id)
    assert retired is not None
    assert retired.is_default is False
    assert (retired.template_name, retired.template_content) == ("First", first.template_content)
    assert await templates.resolve(db, user_id=alice.id, template_type="blog") == updated


async def test_creating_a_second_default_retires_the_first_and_resolve_follows(
    db: asyncpg.Connection, alice: users.User
) -> None:
    first = await make(db, alice, "email", "First", is_default=True)

    second = await make(db, alice, "email", "Second", is_default=True)

    assert second.is_default is True
    retired = await templates.get_by_id(db, template_id=first.id, user_id=alice.id)
    assert retired is not None
    assert retired.is_default is False
    assert await templates.resolve(db, user_id=alice.id, template_type="email") == second
    listed = await templates.list_visible(
        db, user_id=alice.id, template_type="email", limit=100, offset=0
    )
    assert [t.id for t in listed.items if t.is_default and t.user_id == alice.id] == [second.id]


async def test_a_users_new_default_leaves_other_owners_and_types_alone(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    bobs = await make(db, bob, "blog", "Bob's", is_default=True)
    alices_email = await make(db, alice, "email", "Alice's e-mail", is_default=True)
    builtin_blog = await templates.resolve(db, user_id=alice.id, template_type="blog")
    assert builtin_blog is not None

    await make(db, alice, "blog", "Alice's blog", is_default=True)

    assert await templates.resolve(db, user_id=bob.id, template_type="blog") == bobs
    assert await templates.resolve(db, user_id=alice.id, template_type="email") == alices_email
    builtin_after = await templates.get_by_id(db, template_id=builtin_blog.id, user_id=bob.id)
    assert builtin_after == builtin_blog


async def test_a_new_builtin_default_retires_the_old_one_and_resolve_follows(
    db: asyncpg.Connection, alice: users.User
) -> None:
    original = await templates.resolve(db, user_id=alice.id, template_type="twitter")
    assert original is not None
    assert original.user_id is None
    extra = await make(db, None, "twitter", "Extra built-in")

    updated = await templates.update(db, template_id=extra.id, owner_id=None, is_default=True)

    assert updated is not None
    assert updated.is_default is True
    assert await templates.resolve(db, user_id=alice.id, template_type="twitter") == updated
    retired = await templates.get_by_id(db, template_id=original.id, user_id=alice.id)
    assert retired is not None
    assert retired.is_default is False
    assert [t.id for t in await builtins(db) if t.is_default and t.template_type == "twitter"] == [
        extra.id
    ]


async def test_delete_own_template(db: asyncpg.Connection, alice: users.User) -> None:
    created = await make(db, alice)

    assert await templates.delete(db, template_id=created.id, owner_id=alice.id) is True
    assert await templates.get_by_id(db, template_id=created.id, user_id=alice.id) is None
    assert await templates.delete(db, template_id=created.id, owner_id=alice.id) is False


async def test_delete_of_another_users_template_is_refused(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    created = await make(db, alice)

    assert await templates.delete(db, template_id=created.id, owner_id=bob.id) is False
    assert await templates.delete(db, template_id=created.id, owner_id=None) is False
    assert await templates.get_by_id(db, template_id=created.id, user_id=alice.id) == created


async def test_delete_builtin_needs_null_owner(db: asyncpg.Connection, alice: users.User) -> None:
    builtin = await make(db, None, "email", "Disposable built-in")

    assert await templates.delete(db, template_id=builtin.id, owner_id=alice.id) is False
    assert await templates.delete(db, template_id=builtin.id, owner_id=None) is True
    assert await templates.get_by_id(db, template_id=builtin.id, user_id=alice.id) is None


async def test_exists_for_own_and_builtin_templates_only(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    mine = await make(db, alice)
    builtin = (await builtins(db))[0]

    assert await templates.exists(db, template_id=mine.id, user_id=alice.id) is True
    assert await templates.exists(db, template_id=builtin.id, user_id=bob.id) is True
    assert await templates.exists(db, template_id=mine.id, user_id=bob.id) is False
    assert await templates.exists(db, template_id=uuid.uuid4(), user_id=alice.id) is False
