"""The constraints, cascades, triggers and indexes the migrations promise."""

import json
import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from service.queries import config, conversations, messages, sessions, templates, users
from service.queries.conversations import Conversation
from service.queries.messages import NewMessage
from tests.sql.conftest import PASSWORD_HASH, db_now, token_hash

DAY = timedelta(days=1)


async def assert_violates(
    db: asyncpg.Connection,
    error: type[asyncpg.PostgresError],
    constraint: str,
    query: str,
    *args: Any,
) -> None:
    with pytest.raises(error) as caught:
        async with db.transaction():
            await db.execute(query, *args)
    assert caught.value.constraint_name == constraint


async def accepts(db: asyncpg.Connection, query: str, *args: Any) -> bool:
    """Whether the statement succeeds; a CHECK violation answers False."""
    try:
        async with db.transaction():
            await db.execute(query, *args)
    except asyncpg.CheckViolationError:
        return False
    return True


async def insert_user(db: asyncpg.Connection, username: str, email: str) -> uuid.UUID:
    user_id: uuid.UUID = await db.fetchval(
        "INSERT INTO users (username, email, password_hash) VALUES ($1, $2, $3) RETURNING id",
        username,
        email,
        PASSWORD_HASH,
    )
    return user_id


async def insert_aged_conversation(db: asyncpg.Connection, user_id: uuid.UUID) -> uuid.UUID:
    conversation_id: uuid.UUID = await db.fetchval(
        """
        INSERT INTO conversations (user_id, title, created_at, updated_at)
        VALUES ($1, 'aged', now() - interval '1 day', now() - interval '1 day')
        RETURNING id
        """,
        user_id,
    )
    return conversation_id


async def conversation_updated_at(db: asyncpg.Connection, conversation_id: uuid.UUID) -> Any:
    return await db.fetchval("SELECT updated_at FROM conversations WHERE id = $1", conversation_id)


# users


@pytest.mark.parametrize("username", ["ab", "has space", "semi;colon", "émile", "a@b", ""])
async def test_users_username_format_check(db: asyncpg.Connection, username: str) -> None:
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        "users_username_format",
        "INSERT INTO users (username, email, password_hash) VALUES ($1, 'x@example.com', $2)",
        username,
        PASSWORD_HASH,
    )


@pytest.mark.parametrize("username", ["abc", "A.b-c_9", "x" * 50])
async def test_users_username_format_accepts_valid_names(
    db: asyncpg.Connection, username: str
) -> None:
    assert await insert_user(db, username, f"{uuid.uuid4().hex}@example.com")


async def test_users_username_longer_than_50_is_rejected(db: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.StringDataRightTruncationError):
        async with db.transaction():
            await insert_user(db, "x" * 51, "long@example.com")


@pytest.mark.parametrize(
    "email", ["plain", "no-at.example.com", "a@b", "@example.com", "a b@example.com", "a@b@c.io"]
)
async def test_users_email_format_check(db: asyncpg.Connection, email: str) -> None:
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        "users_email_format",
        "INSERT INTO users (username, email, password_hash) VALUES ('someone', $1, $2)",
        email,
        PASSWORD_HASH,
    )


async def test_users_email_unique_case_insensitively(db: asyncpg.Connection) -> None:
    await insert_user(db, "first", "A@x.io")

    await assert_violates(
        db,
        asyncpg.UniqueViolationError,
        "idx_users_email",
        "INSERT INTO users (username, email, password_hash) VALUES ('second', 'a@X.IO', $1)",
        PASSWORD_HASH,
    )


async def test_users_username_unique(db: asyncpg.Connection) -> None:
    await insert_user(db, "taken", "one@example.com")

    await assert_violates(
        db,
        asyncpg.UniqueViolationError,
        "idx_users_username",
        "INSERT INTO users (username, email, password_hash) "
        "VALUES ('taken', 'two@example.com', $1)",
        PASSWORD_HASH,
    )


@pytest.mark.parametrize("password_hash", ["hunter2", "correct horse battery", "$md5$abc", "$"])
async def test_users_password_hash_check_rejects_clear_text(
    db: asyncpg.Connection, password_hash: str
) -> None:
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        "users_password_hash_format",
        "INSERT INTO users (username, email, password_hash) VALUES ('plain', 'p@example.com', $1)",
        password_hash,
    )


@pytest.mark.parametrize(
    "password_hash",
    ["$argon2id$v=19$x", "$argon2i$v=19$x", "$argon2d$v=19$x", "$2b$12$x", "$2a$10$x", "$2$x"],
)
async def test_users_password_hash_check_accepts_argon2_and_bcrypt(
    db: asyncpg.Connection, password_hash: str
) -> None:
    user_id = await db.fetchval(
        "INSERT INTO users (username, email, password_hash) "
        "VALUES ('hashed', 'h@example.com', $1) RETURNING id",
        password_hash,
    )
    assert user_id is not None


# sessions


@pytest.mark.parametrize(
    "digest",
    [
        token_hash("x").upper(),
        token_hash("x")[:63],
        "g" * 64,
        "not a hash",
        "",
    ],
)
async def test_sessions_token_hash_format_check(
    db: asyncpg.Connection, alice: users.User, digest: str
) -> None:
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        "sessions_token_hash_format",
        "INSERT INTO sessions (user_id, token_hash, expires_at) VALUES ($1, $2, now())",
        alice.id,
        digest,
    )


async def test_sessions_token_hash_unique(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    digest = token_hash("shared")
    await sessions.create(db, user_id=alice.id, token_hash=digest, ttl_seconds=60)

    await assert_violates(
        db,
        asyncpg.UniqueViolationError,
        "sessions_token_hash_key",
        "INSERT INTO sessions (user_id, token_hash, expires_at) VALUES ($1, $2, now())",
        bob.id,
        digest,
    )


async def test_sessions_need_an_existing_user(db: asyncpg.Connection) -> None:
    await assert_violates(
        db,
        asyncpg.ForeignKeyViolationError,
        "sessions_user_id_fkey",
        "INSERT INTO sessions (user_id, token_hash, expires_at) VALUES ($1, $2, now())",
        uuid.uuid4(),
        token_hash("orphan"),
    )


# conversations


@pytest.mark.parametrize("title", ["", " ", "   "])
async def test_conversations_title_not_blank(
    db: asyncpg.Connection, alice: users.User, title: str
) -> None:
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        "conversations_title_not_blank",
        "INSERT INTO conversations (user_id, title) VALUES ($1, $2)",
        alice.id,
        title,
    )


async def test_conversations_title_of_only_tabs_or_newlines_is_blank(
    db: asyncpg.Connection, alice: users.User
) -> None:
    title = " \t\r\n "
    stored = await accepts(
        db, "INSERT INTO conversations (user_id, title) VALUES ($1, $2)", alice.id, title
    )

    assert not stored, (
        "conversations_title_not_blank is CHECK (btrim(title) <> ''); btrim strips only "
        f"spaces, so the whitespace-only title {title!r} was stored"
    )


async def test_conversations_title_at_most_500_chars(
    db: asyncpg.Connection, alice: users.User
) -> None:
    created = await conversations.create(db, user_id=alice.id, title="t" * 500)
    assert len(created.title) == 500

    with pytest.raises(asyncpg.StringDataRightTruncationError):
        async with db.transaction():
            await conversations.create(db, user_id=alice.id, title="t" * 501)


# messages


@pytest.mark.parametrize("role", ["robot", "User", "", "tool"])
async def test_messages_role_check(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation, role: str
) -> None:
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        "messages_role_check",
        "INSERT INTO messages (conversation_id, user_id, role, content) VALUES ($1, $2, $3, 'x')",
        conversation.id,
        alice.id,
        role,
    )


@pytest.mark.parametrize("metadata", [[], [1, 2], "text", 42, True, None])
async def test_messages_metadata_must_be_an_object(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation, metadata: Any
) -> None:
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        "messages_metadata_is_object",
        "INSERT INTO messages (conversation_id, user_id, role, content, metadata) "
        "VALUES ($1, $2, 'user', 'x', $3::text::jsonb)",
        conversation.id,
        alice.id,
        json.dumps(metadata),
    )


async def test_messages_must_belong_to_their_conversations_owner(
    db: asyncpg.Connection, bob: users.User, conversation: Conversation
) -> None:
    await assert_violates(
        db,
        asyncpg.ForeignKeyViolationError,
        "messages_conversation_fkey",
        "INSERT INTO messages (conversation_id, user_id, role, content) "
        "VALUES ($1, $2, 'user', 'x')",
        conversation.id,
        bob.id,
    )


async def test_messages_need_an_existing_conversation(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await assert_violates(
        db,
        asyncpg.ForeignKeyViolationError,
        "messages_conversation_fkey",
        "INSERT INTO messages (conversation_id, user_id, role, content) "
        "VALUES ($1, $2, 'user', 'x')",
        uuid.uuid4(),
        alice.id,
    )


async def test_messages_content_and_metadata_not_null(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    with pytest.raises(asyncpg.NotNullViolationError):
        async with db.transaction():
            await db.execute(
                "INSERT INTO messages (conversation_id, user_id, role, content) "
                "VALUES ($1, $2, 'user', NULL)",
                conversation.id,
                alice.id,
            )
    with pytest.raises(asyncpg.NotNullViolationError):
        async with db.transaction():
            await db.execute(
                "INSERT INTO messages (conversation_id, user_id, role, content, metadata) "
                "VALUES ($1, $2, 'user', 'x', NULL)",
                conversation.id,
                alice.id,
            )


async def test_messages_metadata_defaults_to_empty_object(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    metadata = await db.fetchval(
        "INSERT INTO messages (conversation_id, user_id, role, content) "
        "VALUES ($1, $2, 'user', 'x') RETURNING metadata",
        conversation.id,
        alice.id,
    )
    assert metadata == {}


async def test_messages_created_at_advances_within_one_transaction(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    stamps = [
        await db.fetchval(
            "INSERT INTO messages (conversation_id, user_id, role, content) "
            "VALUES ($1, $2, 'user', 'x') RETURNING created_at",
            conversation.id,
            alice.id,
        )
        for _ in range(3)
    ]
    assert stamps == sorted(set(stamps))
    assert stamps[0] >= await db_now(db)


# templates


async def insert_template(
    db: asyncpg.Connection,
    user_id: uuid.UUID | None,
    template_type: str,
    name: str,
    *,
    is_default: bool = False,
    variables: Any = None,
) -> uuid.UUID:
    template_id: uuid.UUID = await db.fetchval(
        """
        INSERT INTO templates (user_id, template_type, template_name, template_content,
                               variables, is_default)
        VALUES ($1, $2, $3, 'content', coalesce($4::jsonb, '[]'::jsonb), $5)
        RETURNING id
        """,
        user_id,
        template_type,
        name,
        variables,
        is_default,
    )
    return template_id


@pytest.mark.parametrize("template_type", ["facebook", "LinkedIn", "", "sms"])
async def test_templates_type_check(
    db: asyncpg.Connection, alice: users.User, template_type: str
) -> None:
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await insert_template(db, alice.id, template_type, "name")
    assert caught.value.constraint_name == "templates_type_check"


async def test_templates_name_not_blank(db: asyncpg.Connection, alice: users.User) -> None:
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await insert_template(db, alice.id, "blog", "  ")
    assert caught.value.constraint_name == "templates_name_not_blank"


async def test_templates_name_of_only_tabs_or_newlines_is_blank(
    db: asyncpg.Connection, alice: users.User
) -> None:
    name = " \t\r\n "
    stored = await accepts(
        db,
        "INSERT INTO templates (user_id, template_type, template_name, template_content) "
        "VALUES ($1, 'blog', $2, 'c')",
        alice.id,
        name,
    )

    assert not stored, (
        "templates_name_not_blank is CHECK (btrim(template_name) <> ''); btrim strips only "
        f"spaces, so the whitespace-only name {name!r} was stored"
    )


async def test_templates_owner_type_name_unique_per_user(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await insert_template(db, alice.id, "blog", "Same")

    with pytest.raises(asyncpg.UniqueViolationError) as caught:
        async with db.transaction():
            await insert_template(db, alice.id, "blog", "Same")
    assert caught.value.constraint_name == "uq_templates_owner_type_name"


async def test_templates_owner_type_name_unique_among_builtins(db: asyncpg.Connection) -> None:
    await insert_template(db, None, "twitter", "Duplicate built-in")

    with pytest.raises(asyncpg.UniqueViolationError) as caught:
        async with db.transaction():
            await insert_template(db, None, "twitter", "Duplicate built-in")
    assert caught.value.constraint_name == "uq_templates_owner_type_name"


async def test_templates_same_name_allowed_across_owners_and_types(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    ids = {
        await insert_template(db, None, "blog", "Common"),
        await insert_template(db, alice.id, "blog", "Common"),
        await insert_template(db, bob.id, "blog", "Common"),
        await insert_template(db, alice.id, "email", "Common"),
    }
    assert len(ids) == 4


async def default_ids(
    db: asyncpg.Connection, user_id: uuid.UUID | None, template_type: str
) -> list[uuid.UUID]:
    rows = await db.fetch(
        "SELECT id FROM templates WHERE is_default AND template_type = $2"
        " AND user_id IS NOT DISTINCT FROM $1",
        user_id,
        template_type,
    )
    return [r["id"] for r in rows]


async def test_templates_a_new_default_retires_the_old_one_per_user_and_type(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    first = await insert_template(db, alice.id, "blog", "First", is_default=True)
    alice_email = await insert_template(db, alice.id, "email", "Alice email", is_default=True)
    bob_blog = await insert_template(db, bob.id, "blog", "Bob blog", is_default=True)

    second = await insert_template(db, alice.id, "blog", "Second", is_default=True)

    assert await default_ids(db, alice.id, "blog") == [second]
    assert first != second
    assert await db.fetchval("SELECT is_default FROM templates WHERE id = $1", first) is False
    # Other types, other owners and the built-ins keep their defaults.
    assert await default_ids(db, alice.id, "email") == [alice_email]
    assert await default_ids(db, bob.id, "blog") == [bob_blog]
    assert len(await default_ids(db, None, "blog")) == 1


async def test_templates_setting_is_default_by_update_retires_the_old_one(
    db: asyncpg.Connection, alice: users.User
) -> None:
    first = await insert_template(db, alice.id, "blog", "First", is_default=True)
    second = await insert_template(db, alice.id, "blog", "Second")

    await db.execute("UPDATE templates SET is_default = true WHERE id = $1", second)

    assert await default_ids(db, alice.id, "blog") == [second]
    assert await db.fetchval("SELECT is_default FROM templates WHERE id = $1", first) is False


async def test_templates_moving_a_default_to_another_type_retires_that_types_default(
    db: asyncpg.Connection, alice: users.User
) -> None:
    blog = await insert_template(db, alice.id, "blog", "Moving", is_default=True)
    email = await insert_template(db, alice.id, "email", "Staying", is_default=True)

    await db.execute("UPDATE templates SET template_type = 'email' WHERE id = $1", blog)

    assert await default_ids(db, alice.id, "email") == [blog]
    assert await default_ids(db, alice.id, "blog") == []
    assert await db.fetchval("SELECT is_default FROM templates WHERE id = $1", email) is False


async def test_templates_unsetting_a_default_promotes_nothing(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await insert_template(db, alice.id, "blog", "Old")
    default = await insert_template(db, alice.id, "blog", "Current", is_default=True)

    await db.execute("UPDATE templates SET is_default = false WHERE id = $1", default)

    assert await default_ids(db, alice.id, "blog") == []


async def test_templates_a_new_builtin_default_retires_the_old_builtin_default(
    db: asyncpg.Connection, alice: users.User
) -> None:
    [original] = await default_ids(db, None, "linkedin")
    alice_default = await insert_template(db, alice.id, "linkedin", "Mine", is_default=True)

    second = await insert_template(db, None, "linkedin", "Second built-in default", is_default=True)

    assert await default_ids(db, None, "linkedin") == [second]
    assert await db.fetchval("SELECT is_default FROM templates WHERE id = $1", original) is False
    assert await default_ids(db, alice.id, "linkedin") == [alice_default]


async def test_templates_one_default_index_still_holds_without_the_trigger(
    db: asyncpg.Connection, alice: users.User
) -> None:
    """The trigger keeps one default; the unique index is what guarantees it. DDL is
    transactional, so the disabled trigger comes back when the test rolls back."""
    await insert_template(db, alice.id, "blog", "First", is_default=True)
    await db.execute("ALTER TABLE templates DISABLE TRIGGER templates_keep_one_default")

    for owner in (alice.id, None):
        with pytest.raises(asyncpg.UniqueViolationError) as caught:
            async with db.transaction():
                await insert_template(db, owner, "blog", "Second", is_default=True)
        assert caught.value.constraint_name == "uq_templates_one_default"


async def test_templates_keep_one_default_trigger_installed(db: asyncpg.Connection) -> None:
    rows = await db.fetch(
        """
        SELECT event_manipulation, action_timing, action_orientation
        FROM information_schema.triggers
        WHERE trigger_name = 'templates_keep_one_default' AND event_object_table = 'templates'
        """
    )

    assert {(r[0], r[1], r[2]) for r in rows} == {
        ("INSERT", "BEFORE", "ROW"),
        ("UPDATE", "BEFORE", "ROW"),
    }


async def test_templates_defaults_coexist_across_owners_and_types(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    await insert_template(db, alice.id, "blog", "Alice blog", is_default=True)
    await insert_template(db, alice.id, "email", "Alice email", is_default=True)
    await insert_template(db, bob.id, "blog", "Bob blog", is_default=True)
    await insert_template(db, alice.id, "blog", "Alice extra", is_default=False)

    defaults = await db.fetchval(
        "SELECT count(*) FROM templates WHERE is_default AND template_type = 'blog'"
    )
    assert defaults == 3


@pytest.mark.parametrize("variables", ['{"a": 1}', '"hook"', "7", "null"])
async def test_templates_variables_must_be_an_array(
    db: asyncpg.Connection, alice: users.User, variables: str
) -> None:
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await db.execute(
                "INSERT INTO templates (user_id, template_type, template_name, template_content, "
                "variables) VALUES ($1, 'blog', 'v', 'c', $2::text::jsonb)",
                alice.id,
                variables,
            )
    assert caught.value.constraint_name == "templates_variables_is_array"


# config


@pytest.mark.parametrize("key", ["has space", "slash/key", "ключ", "", "semi;colon"])
async def test_config_key_format_check(db: asyncpg.Connection, key: str) -> None:
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        "config_key_format",
        "INSERT INTO config (key, value) VALUES ($1, '1')",
        key,
    )


async def test_config_key_format_accepts_dotted_names(db: asyncpg.Connection) -> None:
    key = await db.fetchval(
        "INSERT INTO config (key, value) VALUES ('App.chat:max-tokens_2', '1') RETURNING key"
    )
    assert key == "App.chat:max-tokens_2"


async def test_config_value_not_null(db: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.NotNullViolationError):
        async with db.transaction():
            await db.execute("INSERT INTO config (key, value) VALUES ('k', NULL)")


# cascades


async def test_deleting_a_user_removes_everything_they_own(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    for owner in (alice, bob):
        await sessions.create(
            db, user_id=owner.id, token_hash=token_hash(str(owner.id)), ttl_seconds=60
        )
        chat = await conversations.create(db, user_id=owner.id)
        await messages.create_many(
            db,
            conversation_id=chat.id,
            user_id=owner.id,
            messages=[NewMessage(role="user", content="a"), NewMessage(role="user", content="b")],
        )
        await templates.create(
            db, user_id=owner.id, template_type="blog", template_name="t", template_content="c"
        )
    builtins_before = await db.fetchval("SELECT count(*) FROM templates WHERE user_id IS NULL")

    await db.execute("DELETE FROM users WHERE id = $1", alice.id)

    for table, expected_bob in [
        ("sessions", 1),
        ("conversations", 1),
        ("messages", 2),
        ("templates", 1),
    ]:
        rows = dict(
            await db.fetch(
                f"SELECT user_id, count(*) FROM {table} WHERE user_id = ANY($1::uuid[]) "
                "GROUP BY user_id",
                [alice.id, bob.id],
            )
        )
        assert rows == {bob.id: expected_bob}, table
    builtins_after = await db.fetchval("SELECT count(*) FROM templates WHERE user_id IS NULL")
    assert builtins_after == builtins_before


async def test_deleting_a_conversation_removes_only_its_messages(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    other = await conversations.create(db, user_id=alice.id, title="other")
    for chat in (conversation, other):
        await messages.create(
            db, conversation_id=chat.id, user_id=alice.id, role="user", content="x"
        )

    await db.execute("DELETE FROM conversations WHERE id = $1", conversation.id)

    remaining = await db.fetch("SELECT conversation_id FROM messages WHERE user_id = $1", alice.id)
    assert [r["conversation_id"] for r in remaining] == [other.id]


async def test_every_foreign_key_cascades(db: asyncpg.Connection) -> None:
    rules = await db.fetch(
        """
        SELECT tc.table_name, kcu.column_name, rc.delete_rule
        FROM information_schema.table_constraints tc
        JOIN information_schema.referential_constraints rc
          ON rc.constraint_name = tc.constraint_name
         AND rc.constraint_schema = tc.constraint_schema
        JOIN information_schema.key_column_usage kcu
          ON kcu.constraint_name = tc.constraint_name
         AND kcu.constraint_schema = tc.constraint_schema
        WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()
        ORDER BY 1, 2
        """
    )
    keys = {(r["table_name"], r["column_name"]) for r in rules}
    assert {
        ("sessions", "user_id"),
        ("conversations", "user_id"),
        ("messages", "conversation_id"),
        ("messages", "user_id"),
        ("templates", "user_id"),
    } <= keys
    tables = {
        r["table_name"]
        for r in await db.fetch(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'user_id'"
        )
    }
    assert {(table, "user_id") for table in tables} <= keys, "every user_id is a foreign key"
    assert {r["delete_rule"] for r in rules} == {"CASCADE"}


# triggers


async def test_inserting_a_message_bumps_its_conversation(
    db: asyncpg.Connection, alice: users.User
) -> None:
    conversation_id = await insert_aged_conversation(db, alice.id)
    before = await conversation_updated_at(db, conversation_id)

    await messages.create(
        db, conversation_id=conversation_id, user_id=alice.id, role="user", content="hi"
    )

    after = await conversation_updated_at(db, conversation_id)
    now = await db_now(db)
    assert before == now - DAY
    assert after == now
    assert after > before


async def test_raw_message_insert_bumps_its_conversation(
    db: asyncpg.Connection, alice: users.User
) -> None:
    conversation_id = await insert_aged_conversation(db, alice.id)

    await db.execute(
        "INSERT INTO messages (conversation_id, user_id, role, content) "
        "VALUES ($1, $2, 'user', 'x')",
        conversation_id,
        alice.id,
    )

    assert await conversation_updated_at(db, conversation_id) == await db_now(db)


async def test_bulk_insert_bumps_its_conversation(
    db: asyncpg.Connection, alice: users.User
) -> None:
    conversation_id = await insert_aged_conversation(db, alice.id)

    created = await messages.create_many(
        db,
        conversation_id=conversation_id,
        user_id=alice.id,
        messages=[NewMessage(role="user", content=str(i)) for i in range(5)],
    )

    assert len(created) == 5
    assert await conversation_updated_at(db, conversation_id) == await db_now(db)


async def test_message_insert_bumps_only_its_own_conversation(
    db: asyncpg.Connection, alice: users.User
) -> None:
    target = await insert_aged_conversation(db, alice.id)
    bystander = await insert_aged_conversation(db, alice.id)

    await messages.create(db, conversation_id=target, user_id=alice.id, role="user", content="x")

    now = await db_now(db)
    assert await conversation_updated_at(db, target) == now
    assert await conversation_updated_at(db, bystander) == now - DAY


async def test_refused_message_insert_bumps_nothing(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    conversation_id = await insert_aged_conversation(db, alice.id)

    assert (
        await messages.create(
            db, conversation_id=conversation_id, user_id=bob.id, role="user", content="x"
        )
        is None
    )
    assert await conversation_updated_at(db, conversation_id) == await db_now(db) - DAY


async def test_conversation_trigger_is_statement_level(db: asyncpg.Connection) -> None:
    row = await db.fetchrow(
        """
        SELECT action_timing, event_manipulation, action_orientation
        FROM information_schema.triggers
        WHERE trigger_name = 'trigger_update_conversation' AND event_object_table = 'messages'
        """
    )
    assert row is not None
    assert tuple(row) == ("AFTER", "INSERT", "STATEMENT")


async def test_message_delete_trigger_is_statement_level(db: asyncpg.Connection) -> None:
    row = await db.fetchrow(
        """
        SELECT action_timing, event_manipulation, action_orientation, action_statement
        FROM information_schema.triggers
        WHERE trigger_name = 'trigger_count_deleted_messages' AND event_object_table = 'messages'
        """
    )
    assert row is not None
    assert tuple(row) == (
        "AFTER",
        "DELETE",
        "STATEMENT",
        "EXECUTE FUNCTION count_deleted_messages()",
    )


async def message_count(db: asyncpg.Connection, conversation_id: uuid.UUID) -> Any:
    return await db.fetchval(
        "SELECT message_count FROM conversations WHERE id = $1", conversation_id
    )


async def test_raw_message_inserts_and_deletes_keep_the_message_count(
    db: asyncpg.Connection, alice: users.User
) -> None:
    target = await insert_aged_conversation(db, alice.id)
    bystander = await insert_aged_conversation(db, alice.id)

    await db.execute(
        "INSERT INTO messages (conversation_id, user_id, role, content) "
        "SELECT c, $3, 'user', 'x' FROM unnest(ARRAY[$1, $1, $1, $2]::uuid[]) AS c",
        target,
        bystander,
        alice.id,
    )
    assert (await message_count(db, target), await message_count(db, bystander)) == (3, 1)

    await db.execute(
        "DELETE FROM messages WHERE id IN "
        "(SELECT id FROM messages WHERE conversation_id = $1 LIMIT 2)",
        target,
    )
    assert (await message_count(db, target), await message_count(db, bystander)) == (1, 1)
    # deleting a message changes its conversation: updated_at moves too
    assert await conversation_updated_at(db, target) == await db_now(db)

    await db.execute("DELETE FROM messages WHERE conversation_id = ANY($1::uuid[])", [target])
    assert (await message_count(db, target), await message_count(db, bystander)) == (0, 1)


async def test_deleting_a_conversation_with_messages_works(
    db: asyncpg.Connection, alice: users.User
) -> None:
    """The delete trigger finds no conversation to count down when the cascade comes
    from the conversation itself."""
    conversation_id = await insert_aged_conversation(db, alice.id)
    await db.execute(
        "INSERT INTO messages (conversation_id, user_id, role, content) "
        "VALUES ($1, $2, 'user', 'x'), ($1, $2, 'user', 'y')",
        conversation_id,
        alice.id,
    )

    assert await conversations.delete(db, conversation_id=conversation_id, user_id=alice.id)
    assert (
        await db.fetchval(
            "SELECT count(*) FROM messages WHERE conversation_id = $1", conversation_id
        )
        == 0
    )


async def test_users_updated_at_set_on_update(db: asyncpg.Connection) -> None:
    user_id = await db.fetchval(
        """
        INSERT INTO users (username, email, password_hash, created_at, updated_at)
        VALUES ('aged_user', 'aged@example.com', $1, now() - interval '1 day',
                now() - interval '1 day')
        RETURNING id
        """,
        PASSWORD_HASH,
    )

    updated = await users.update(db, user_id=user_id, is_active=False)

    now = await db_now(db)
    assert updated is not None
    assert updated.updated_at == now
    assert updated.created_at == now - DAY


async def test_set_admin_bumps_users_updated_at(db: asyncpg.Connection) -> None:
    await db.execute(
        """
        INSERT INTO users (username, email, password_hash, updated_at)
        VALUES ('aged_admin', 'admin@example.com', $1, now() - interval '1 day')
        """,
        PASSWORD_HASH,
    )

    updated = await users.set_admin(db, username="aged_admin", is_admin=True)

    assert updated is not None
    assert updated.updated_at == await db_now(db)


async def test_conversations_updated_at_set_on_update(
    db: asyncpg.Connection, alice: users.User
) -> None:
    conversation_id = await insert_aged_conversation(db, alice.id)

    updated = await conversations.update(
        db, conversation_id=conversation_id, user_id=alice.id, title="new title"
    )

    now = await db_now(db)
    assert updated is not None
    assert updated.updated_at == now
    assert updated.created_at == now - DAY


async def test_templates_updated_at_set_on_update(
    db: asyncpg.Connection, alice: users.User
) -> None:
    template_id = await db.fetchval(
        """
        INSERT INTO templates (user_id, template_type, template_name, template_content,
                               created_at, updated_at)
        VALUES ($1, 'blog', 'aged', 'c', now() - interval '1 day', now() - interval '1 day')
        RETURNING id
        """,
        alice.id,
    )

    updated = await templates.update(
        db, template_id=template_id, owner_id=alice.id, template_content="fresh"
    )

    now = await db_now(db)
    assert updated is not None
    assert updated.updated_at == now
    assert updated.created_at == now - DAY


async def test_config_updated_at_set_on_update(db: asyncpg.Connection) -> None:
    await db.execute(
        "INSERT INTO config (key, value, updated_at) VALUES ('aged', '1', now() - interval '1 day')"
    )
    before = await db.fetchval("SELECT updated_at FROM config WHERE key = 'aged'")

    row = await db.fetchrow(
        "UPDATE config SET value = '2' WHERE key = 'aged' RETURNING value, updated_at"
    )

    now = await db_now(db)
    assert before == now - DAY
    assert tuple(row) == (2, now)


async def test_config_upsert_bumps_updated_at(db: asyncpg.Connection) -> None:
    await db.execute(
        "INSERT INTO config (key, value, updated_at) VALUES ('aged', '1', now() - interval '1 day')"
    )

    entry = await config.set_value(db, key="aged", value=2)

    assert entry.updated_at == await db_now(db)


@pytest.mark.parametrize("table", ["users", "conversations", "templates", "config"])
async def test_set_updated_at_trigger_installed(db: asyncpg.Connection, table: str) -> None:
    row = await db.fetchrow(
        """
        SELECT t.action_timing, t.event_manipulation, t.action_orientation, t.action_statement
        FROM information_schema.triggers t
        WHERE t.event_object_table = $1 AND t.trigger_name = $1 || '_set_updated_at'
        """,
        table,
    )
    assert row is not None
    assert tuple(row) == ("BEFORE", "UPDATE", "ROW", "EXECUTE FUNCTION set_updated_at()")


# indexes


async def index_definitions(db: asyncpg.Connection) -> dict[str, str]:
    rows = await db.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    )
    return {r["indexname"]: r["indexdef"] for r in rows}


@pytest.mark.parametrize(
    ("name", "table", "columns"),
    [
        ("idx_users_username", "users", "(lower((username)::text))"),
        ("idx_users_email", "users", "(lower((email)::text))"),
        ("idx_sessions_expires_at", "sessions", "(expires_at)"),
        ("idx_conversations_user_updated", "conversations", "(user_id, updated_at, id)"),
        ("idx_messages_conversation_id", "messages", "(conversation_id, created_at, id)"),
        ("idx_messages_metadata", "messages", "gin (metadata)"),
        # BRIN: indexed for time ranges, and no ordered path to lure a page (0016)
        ("idx_messages_created_at", "messages", "brin (created_at)"),
        ("idx_templates_type_default", "templates", "(template_type, is_default)"),
    ],
)
async def test_named_index_exists(
    db: asyncpg.Connection, name: str, table: str, columns: str
) -> None:
    definition = (await index_definitions(db)).get(name)

    assert definition is not None, name
    assert f" ON public.{table} " in definition or f" ON {table} " in definition
    assert definition.endswith(columns)


@pytest.mark.parametrize("name", ["idx_users_username", "idx_users_email"])
async def test_user_lookup_indexes_are_unique(db: asyncpg.Connection, name: str) -> None:
    definition = (await index_definitions(db))[name]

    assert definition.startswith("CREATE UNIQUE INDEX")


async def test_messages_metadata_index_is_gin(db: asyncpg.Connection) -> None:
    method = await db.fetchval(
        """
        SELECT am.amname
        FROM pg_class i JOIN pg_am am ON am.oid = i.relam
        WHERE i.relname = 'idx_messages_metadata' AND i.relkind = 'i'
        """
    )
    assert method == "gin"


async def test_metadata_containment_can_use_gin_index(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    await messages.create(
        db,
        conversation_id=conversation.id,
        user_id=alice.id,
        role="user",
        content="x",
        metadata={"k": "v"},
    )
    await db.execute("SET LOCAL enable_seqscan = off")

    plan = await db.fetch("""EXPLAIN SELECT id FROM messages WHERE metadata @> '{"k": "v"}'""")
    found = await db.fetchval(
        """SELECT count(*) FROM messages WHERE metadata @> '{"k": "v"}' AND user_id = $1""",
        alice.id,
    )

    assert "idx_messages_metadata" in "\n".join(r[0] for r in plan)
    assert found == 1
