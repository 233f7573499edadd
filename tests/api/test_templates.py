"""/templates: built-ins, the caller's own, resolve, and who may change what.

The migration's four built-ins must stay untouched (the cleanup cannot restore them):
tests that change a built-in first create an extra one through the query layer."""

import uuid
from typing import Any

import asyncpg
import pytest

import service.queries.templates
from tests.api.conftest import Account, SignUp
from tests.api.helpers import (
    Client,
    assert_bad_request,
    create_template,
    random_id,
    total,
)

TEMPLATE_FIELDS = {
    "id",
    "user_id",
    "template_type",
    "template_name",
    "template_content",
    "variables",
    "is_default",
    "created_at",
    "updated_at",
}
TYPES = ["linkedin", "twitter", "blog", "email"]


async def extra_builtin(session_conn: asyncpg.Connection, **fields: Any) -> str:
    """A built-in (NULL owner) that is safe to change; the cleanup removes it."""
    values: dict[str, Any] = {
        "template_type": "blog",
        "template_name": "Extra built-in",
        "template_content": "x",
    }
    values.update(fields)
    template = await service.queries.templates.create(session_conn, user_id=None, **values)
    return str(template.id)


async def builtin_row(session_conn: asyncpg.Connection, template_id: str) -> Any:
    return await session_conn.fetchrow(
        "SELECT template_name, template_content, is_default FROM templates WHERE id = $1",
        uuid.UUID(template_id),
    )


# --- built-ins and listing --------------------------------------------------------------


async def test_a_new_user_sees_the_four_builtins(client: Client, alice: Account) -> None:
    response = await client.get("/templates", headers=alice.headers)

    assert response.status_code == 200
    templates = response.json()
    assert len(templates) == 4
    assert total(response) == 4
    assert sorted(t["template_type"] for t in templates) == sorted(TYPES)
    for template in templates:
        assert set(template) == TEMPLATE_FIELDS
        assert template["user_id"] is None
        assert template["is_default"] is True
        assert isinstance(template["variables"], list)
        assert template["variables"]


async def test_a_builtin_can_be_read_by_id(client: Client, alice: Account) -> None:
    builtins = (await client.get("/templates", headers=alice.headers)).json()

    response = await client.get(f"/templates/{builtins[0]['id']}", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == builtins[0]


async def test_create_own_answers_201(client: Client, alice: Account) -> None:
    response = await client.post(
        "/templates",
        json={
            "template_type": "twitter",
            "template_name": "Short thread",
            "template_content": "{hook} {url}",
            "variables": ["hook", "url"],
        },
        headers=alice.headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == TEMPLATE_FIELDS
    assert body["user_id"] == alice.user["id"]
    assert body["template_type"] == "twitter"
    assert body["template_name"] == "Short thread"
    assert body["template_content"] == "{hook} {url}"
    assert body["variables"] == ["hook", "url"]
    assert body["is_default"] is False


async def test_create_defaults_variables_to_an_empty_list(client: Client, alice: Account) -> None:
    body = await create_template(client, alice.headers)

    assert body["variables"] == []


async def test_own_templates_are_listed_before_the_builtins(client: Client, alice: Account) -> None:
    own = await create_template(client, alice.headers, template_type="email")

    response = await client.get("/templates", headers=alice.headers)

    assert total(response) == 5
    assert response.json()[0]["id"] == own["id"]
    assert all(t["user_id"] is None for t in response.json()[1:])


async def test_list_pages_with_limit_and_offset(client: Client, alice: Account) -> None:
    everything = (await client.get("/templates", headers=alice.headers)).json()

    first = await client.get("/templates?limit=3", headers=alice.headers)
    rest = await client.get("/templates?limit=3&offset=3", headers=alice.headers)

    assert [t["id"] for t in first.json() + rest.json()] == [t["id"] for t in everything]
    assert total(first) == total(rest) == 4


@pytest.mark.parametrize("template_type", TYPES)
async def test_list_filters_by_type(client: Client, alice: Account, template_type: str) -> None:
    await create_template(client, alice.headers, template_type="blog", template_name="mine")

    response = await client.get(f"/templates?type={template_type}", headers=alice.headers)

    assert response.status_code == 200
    types = {t["template_type"] for t in response.json()}
    assert types == {template_type}
    expected = 2 if template_type == "blog" else 1
    assert len(response.json()) == expected
    assert total(response) == expected


async def test_list_with_an_unknown_type_is_400(client: Client, alice: Account) -> None:
    response = await client.get("/templates?type=myspace", headers=alice.headers)

    assert response.status_code == 400, response.text
    assert "myspace" in response.text


# --- uniqueness -------------------------------------------------------------------------


async def test_duplicate_type_and_name_for_the_same_user_is_409(
    client: Client, alice: Account
) -> None:
    await create_template(client, alice.headers, template_name="Weekly")

    response = await client.post(
        "/templates",
        json={"template_type": "linkedin", "template_name": "Weekly", "template_content": "y"},
        headers=alice.headers,
    )

    assert response.status_code == 409, response.text
    assert "template_name" in response.json()["detail"]


async def test_the_same_name_with_another_type_is_fine(client: Client, alice: Account) -> None:
    await create_template(client, alice.headers, template_type="linkedin", template_name="Weekly")

    body = await create_template(
        client, alice.headers, template_type="twitter", template_name="Weekly"
    )

    assert body["template_type"] == "twitter"


async def test_the_same_name_for_another_user_is_fine(
    client: Client, alice: Account, bob: Account
) -> None:
    await create_template(client, alice.headers, template_name="Weekly")

    body = await create_template(client, bob.headers, template_name="Weekly")

    assert body["user_id"] == bob.user["id"]


async def test_a_builtins_name_can_be_reused_by_a_user(client: Client, alice: Account) -> None:
    body = await create_template(
        client, alice.headers, template_type="linkedin", template_name="Built-in LinkedIn post"
    )

    assert body["user_id"] == alice.user["id"]


async def resolved(client: Client, headers: dict[str, str], template_type: str) -> Any:
    response = await client.get(f"/templates/resolve?type={template_type}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_second_default_of_the_same_type_retires_the_first(
    client: Client, alice: Account
) -> None:
    first = await create_template(client, alice.headers, template_name="A", is_default=True)

    response = await client.post(
        "/templates",
        json={
            "template_type": "linkedin",
            "template_name": "B",
            "template_content": "b",
            "is_default": True,
        },
        headers=alice.headers,
    )

    assert response.status_code == 201, response.text
    second = response.json()
    assert second["is_default"] is True
    retired = (await client.get(f"/templates/{first['id']}", headers=alice.headers)).json()
    assert retired["is_default"] is False
    assert (retired["template_name"], retired["template_content"]) == ("A", "Hello {name}")
    assert await resolved(client, alice.headers, "linkedin") == second
    listed = await client.get("/templates?type=linkedin", headers=alice.headers)
    own_defaults = [
        t["id"] for t in listed.json() if t["is_default"] and t["user_id"] == alice.user["id"]
    ]
    assert own_defaults == [second["id"]]


async def test_patching_a_second_template_to_default_retires_the_first(
    client: Client, alice: Account
) -> None:
    first = await create_template(client, alice.headers, template_name="A", is_default=True)
    second = await create_template(client, alice.headers, template_name="B")

    response = await client.patch(
        f"/templates/{second['id']}",
        json={"is_default": True, "template_content": "changed"},
        headers=alice.headers,
    )

    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["is_default"], patched["template_content"]) == (True, "changed")
    retired = (await client.get(f"/templates/{first['id']}", headers=alice.headers)).json()
    assert retired["is_default"] is False
    assert await resolved(client, alice.headers, "linkedin") == patched


async def test_a_new_default_leaves_other_types_and_users_alone(
    client: Client, alice: Account, bob: Account
) -> None:
    alices_email = await create_template(
        client, alice.headers, template_type="email", template_name="E", is_default=True
    )
    bobs = await create_template(client, bob.headers, template_name="Bob's", is_default=True)

    await create_template(client, alice.headers, template_name="Alice's", is_default=True)

    assert await resolved(client, alice.headers, "email") == alices_email
    assert await resolved(client, bob.headers, "linkedin") == bobs


async def test_one_default_per_type_per_user_not_globally(
    client: Client, alice: Account, bob: Account
) -> None:
    await create_template(client, alice.headers, is_default=True)

    body = await create_template(client, bob.headers, is_default=True)
    other_type = await create_template(
        client, alice.headers, template_type="email", template_name="E", is_default=True
    )

    assert body["is_default"] is True
    assert other_type["is_default"] is True


# --- resolve ----------------------------------------------------------------------------


async def test_resolve_returns_the_builtin_for_a_new_user(client: Client, alice: Account) -> None:
    response = await client.get("/templates/resolve?type=linkedin", headers=alice.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user_id"] is None
    assert body["template_type"] == "linkedin"
    assert body["is_default"] is True


async def test_resolve_ignores_a_users_non_default_template(client: Client, alice: Account) -> None:
    await create_template(client, alice.headers, is_default=False)

    response = await client.get("/templates/resolve?type=linkedin", headers=alice.headers)

    assert response.json()["user_id"] is None


async def test_resolve_prefers_the_users_own_default(client: Client, alice: Account) -> None:
    own = await create_template(client, alice.headers, is_default=True)

    response = await client.get("/templates/resolve?type=linkedin", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == own


async def test_resolve_falls_back_to_the_builtin_after_the_default_is_deleted(
    client: Client, alice: Account
) -> None:
    own = await create_template(client, alice.headers, is_default=True)
    await client.delete(f"/templates/{own['id']}", headers=alice.headers)

    response = await client.get("/templates/resolve?type=linkedin", headers=alice.headers)

    assert response.json()["user_id"] is None


async def test_resolve_with_an_invalid_type_is_400(client: Client, alice: Account) -> None:
    response = await client.get("/templates/resolve?type=fax", headers=alice.headers)

    assert response.status_code == 400, response.text
    assert "fax" in response.text


async def test_resolve_without_a_type_is_400(client: Client, alice: Account) -> None:
    response = await client.get("/templates/resolve", headers=alice.headers)

    assert response.status_code == 400, response.text
    assert "type" in response.json()["detail"]


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"template_type": "myspace"}, "template_type", id="invalid-type"),
        pytest.param({"variables": "name"}, "variables", id="variables-a-string"),
        pytest.param({"variables": {"name": 1}}, "variables", id="variables-an-object"),
        pytest.param({"variables": list(range(201))}, "variables", id="too-many-variables"),
        pytest.param({"template_name": ""}, "template_name", id="empty-name"),
        pytest.param({"template_name": "   "}, "template_name", id="blank-name"),
        pytest.param({"template_name": "n" * 256}, "template_name", id="name-too-long"),
        pytest.param({"template_content": ""}, "template_content", id="empty-content"),
        pytest.param({"is_default": "yes"}, "is_default", id="is-default-not-bool"),
        pytest.param({"user_id": None}, "user_id", id="user-id-cannot-be-set"),
    ],
)
async def test_create_rejects_bad_input_with_400(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    overrides: dict[str, Any],
    field: str,
) -> None:
    body: dict[str, Any] = {
        "template_type": "blog",
        "template_name": "n",
        "template_content": "c",
    }
    body.update(overrides)

    response = await client.post("/templates", json=body, headers=alice.headers)

    assert_bad_request(response, field)
    owned = await session_conn.fetchval(
        "SELECT count(*) FROM templates WHERE user_id = $1", uuid.UUID(alice.user["id"])
    )
    assert owned == 0


@pytest.mark.parametrize("missing", ["template_type", "template_name", "template_content"])
async def test_create_without_a_required_field_is_400(
    client: Client, alice: Account, missing: str
) -> None:
    body = {"template_type": "blog", "template_name": "n", "template_content": "c"}
    del body[missing]

    response = await client.post("/templates", json=body, headers=alice.headers)

    assert_bad_request(response, missing)


# --- own templates: change and delete ---------------------------------------------------


async def test_patch_own_template(client: Client, alice: Account) -> None:
    own = await create_template(client, alice.headers)

    response = await client.patch(
        f"/templates/{own['id']}",
        json={"template_name": "Renamed", "variables": ["a"], "is_default": True},
        headers=alice.headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["template_name"] == "Renamed"
    assert body["variables"] == ["a"]
    assert body["is_default"] is True
    assert body["template_content"] == own["template_content"]
    assert body["template_type"] == own["template_type"]
    assert (await client.get(f"/templates/{own['id']}", headers=alice.headers)).json() == body


async def test_patch_cannot_change_the_type(client: Client, alice: Account) -> None:
    own = await create_template(client, alice.headers)

    response = await client.patch(
        f"/templates/{own['id']}", json={"template_type": "blog"}, headers=alice.headers
    )

    assert_bad_request(response, "template_type")


async def test_patch_to_a_taken_name_is_409_and_changes_nothing(
    client: Client, alice: Account
) -> None:
    await create_template(client, alice.headers, template_name="Taken")
    other = await create_template(client, alice.headers, template_name="Free")

    response = await client.patch(
        f"/templates/{other['id']}",
        json={"template_name": "Taken", "template_content": "new content"},
        headers=alice.headers,
    )

    assert response.status_code == 409, response.text
    assert (await client.get(f"/templates/{other['id']}", headers=alice.headers)).json() == other


async def test_patch_with_variables_not_a_list_is_400(client: Client, alice: Account) -> None:
    own = await create_template(client, alice.headers)

    response = await client.patch(
        f"/templates/{own['id']}", json={"variables": "x"}, headers=alice.headers
    )

    assert_bad_request(response, "variables")


async def test_delete_own_template(client: Client, alice: Account) -> None:
    own = await create_template(client, alice.headers)

    response = await client.delete(f"/templates/{own['id']}", headers=alice.headers)

    assert response.status_code == 204
    assert (await client.get(f"/templates/{own['id']}", headers=alice.headers)).status_code == 404
    assert (
        await client.delete(f"/templates/{own['id']}", headers=alice.headers)
    ).status_code == 404
    assert total(await client.get("/templates", headers=alice.headers)) == 4


async def test_get_a_missing_template_is_404(client: Client, alice: Account) -> None:
    missing = random_id()

    response = await client.get(f"/templates/{missing}", headers=alice.headers)

    assert response.status_code == 404
    assert missing in response.json()["detail"]


# --- built-ins: only admins change them -------------------------------------------------


async def test_a_non_admin_cannot_patch_a_builtin(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    builtin_id = await extra_builtin(session_conn)
    before = await builtin_row(session_conn, builtin_id)

    response = await client.patch(
        f"/templates/{builtin_id}", json={"template_content": "hacked"}, headers=alice.headers
    )

    assert response.status_code == 403, response.text
    assert "admin" in response.json()["detail"]
    assert await builtin_row(session_conn, builtin_id) == before


async def test_a_non_admin_cannot_delete_a_builtin(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    builtin_id = await extra_builtin(session_conn)

    response = await client.delete(f"/templates/{builtin_id}", headers=alice.headers)

    assert response.status_code == 403, response.text
    assert await builtin_row(session_conn, builtin_id) is not None


async def test_an_admin_can_patch_a_builtin(
    client: Client, sign_up: SignUp, session_conn: asyncpg.Connection
) -> None:
    root = await sign_up("root", admin=True)
    builtin_id = await extra_builtin(session_conn)

    response = await client.patch(
        f"/templates/{builtin_id}",
        json={"template_content": "edited by an admin", "variables": ["v"]},
        headers=root.headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["user_id"] is None
    assert response.json()["template_content"] == "edited by an admin"
    assert response.json()["variables"] == ["v"]
    row = await builtin_row(session_conn, builtin_id)
    assert row["template_content"] == "edited by an admin"


async def test_an_admins_edit_of_a_builtin_is_seen_by_every_user(
    client: Client, sign_up: SignUp, alice: Account, session_conn: asyncpg.Connection
) -> None:
    root = await sign_up("root", admin=True)
    builtin_id = await extra_builtin(session_conn)

    await client.patch(
        f"/templates/{builtin_id}", json={"template_name": "Shared"}, headers=root.headers
    )

    seen = await client.get(f"/templates/{builtin_id}", headers=alice.headers)
    assert seen.json()["template_name"] == "Shared"


async def test_an_admin_can_delete_a_builtin(
    client: Client, sign_up: SignUp, alice: Account, session_conn: asyncpg.Connection
) -> None:
    root = await sign_up("root", admin=True)
    builtin_id = await extra_builtin(session_conn)

    response = await client.delete(f"/templates/{builtin_id}", headers=root.headers)

    assert response.status_code == 204
    assert await builtin_row(session_conn, builtin_id) is None
    assert (await client.get(f"/templates/{builtin_id}", headers=alice.headers)).status_code == 404


async def test_an_admins_own_template_stays_private(
    client: Client, sign_up: SignUp, alice: Account
) -> None:
    root = await sign_up("root", admin=True)

    created = await create_template(client, root.headers, template_name="Admin's own")

    assert created["user_id"] == root.user["id"]
    alice_sees = await client.get(f"/templates/{created['id']}", headers=alice.headers)
    assert alice_sees.status_code == 404


async def restore_builtin(session_conn: asyncpg.Connection, original: asyncpg.Record) -> None:
    """Puts a migration built-in back exactly as it was, updated_at included: the
    updated_at trigger is off for this one statement, in one committed transaction.
    Making it the default again retires whatever default took its place."""
    async with session_conn.transaction():
        await session_conn.execute("ALTER TABLE templates DISABLE TRIGGER templates_set_updated_at")
        await session_conn.execute(
            "UPDATE templates SET is_default = $2, updated_at = $3 WHERE id = $1",
            original["id"],
            original["is_default"],
            original["updated_at"],
        )
        await session_conn.execute("ALTER TABLE templates ENABLE TRIGGER templates_set_updated_at")


async def test_an_admin_making_a_builtin_the_default_retires_the_old_builtin_default(
    client: Client, sign_up: SignUp, alice: Account, session_conn: asyncpg.Connection
) -> None:
    root = await sign_up("root", admin=True)
    builtin_id = await extra_builtin(session_conn)
    original = await session_conn.fetchrow(
        "SELECT * FROM templates WHERE user_id IS NULL AND template_type = 'blog' AND is_default"
    )
    assert original is not None
    try:
        response = await client.patch(
            f"/templates/{builtin_id}", json={"is_default": True}, headers=root.headers
        )

        assert response.status_code == 200, response.text
        assert response.json()["is_default"] is True
        assert (await builtin_row(session_conn, builtin_id))["is_default"] is True
        assert (await builtin_row(session_conn, str(original["id"])))["is_default"] is False
        assert (await resolved(client, alice.headers, "blog"))["id"] == builtin_id
    finally:
        await restore_builtin(session_conn, original)
    restored = await session_conn.fetchrow("SELECT * FROM templates WHERE id = $1", original["id"])
    assert dict(restored) == dict(original)
    assert (await builtin_row(session_conn, builtin_id))["is_default"] is False
