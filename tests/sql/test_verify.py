"""The typed SQL check: clean on the real schema, and loud, naming the file, the
column and both types, when the schema and the code disagree."""

from collections.abc import Callable

import psycopg
import pytest

from service.tooling import migrations, verify
from service.tooling.verify import query_functions


def _alter(url: str, *statements: str) -> None:
    conn = psycopg.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    conn.close()


@pytest.fixture
def migrated_url(make_database: Callable[[], str]) -> str:
    url = make_database()
    migrations.apply(url)
    return url


async def test_every_query_function_agrees_with_its_sql(database_url: str) -> None:
    assert await verify.verify(database_url) == []


def test_every_query_module_function_is_checked() -> None:
    names = {name for name, _ in query_functions()}
    assert {"chunks.list_by_transcript", "chunks.search", "processing_jobs.claim"} <= names
    assert all("._" not in name for name in names)


# Generated functions are checked by `db generate --check` (tests/cli/test_generate.py);
# verify checks the hand-bound one, meetings/get_with_participants.
HAND_BOUND = "sql/meetings/get_with_participants.sql (run by meetings.get_with_participants)"

_DROP_MEETING_KEYS = """
DO $$
DECLARE fk record;
BEGIN
    FOR fk IN SELECT conrelid::regclass AS t, conname FROM pg_constraint
              WHERE contype = 'f' AND 'meetings'::regclass IN (conrelid, confrelid) LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.t, fk.conname);
    END LOOP;
END $$"""


async def test_a_renamed_column_names_the_files_that_use_it(migrated_url: str) -> None:
    _alter(migrated_url, "ALTER TABLE meetings RENAME COLUMN title TO name")
    problems = await verify.verify(migrated_url)
    assert any(
        p.startswith(f"{HAND_BOUND}: PostgreSQL refuses it") and "title" in p for p in problems
    ), problems


async def test_a_changed_column_type_names_file_column_and_both_types(migrated_url: str) -> None:
    _alter(
        migrated_url,
        "ALTER TABLE meetings ALTER COLUMN description TYPE integer USING length(description)",
    )
    problems = await verify.verify(migrated_url)
    assert any(
        p.startswith(f"{HAND_BOUND}: column description is int4, ")
        and "MeetingWithParticipants.description is str | None" in p
        for p in problems
    ), problems


async def test_a_parameter_of_another_type_names_the_argument(migrated_url: str) -> None:
    _alter(
        migrated_url,
        _DROP_MEETING_KEYS,
        "ALTER TABLE meetings DROP CONSTRAINT meetings_id_user_key",
        "ALTER TABLE meetings ALTER COLUMN user_id TYPE text",
    )
    problems = await verify.verify(migrated_url)
    assert f"{HAND_BOUND}: parameter $2 is text, but user_id passes UUID" in problems, problems


async def test_an_optional_field_may_read_a_not_null_column(migrated_url: str) -> None:
    """Only one way round: an outer join can make a NOT NULL column NULL (the login
    query's account columns), so an optional field over one is not a problem."""
    _alter(migrated_url, "ALTER TABLE meetings ALTER COLUMN description SET NOT NULL")
    assert await verify.verify(migrated_url) == []


async def test_a_nullable_column_read_into_a_required_field_is_reported(migrated_url: str) -> None:
    _alter(migrated_url, "ALTER TABLE meetings ALTER COLUMN title DROP NOT NULL")
    problems = await verify.verify(migrated_url)
    assert (
        f"{HAND_BOUND}: column title can be NULL, "
        "MeetingWithParticipants.title is <class 'str'> (not optional)"
    ) in problems, problems


async def test_a_sql_file_no_function_runs_is_reported(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(verify.QUERIES, "users/forgotten", "SELECT 1;")
    problems = await verify.verify(database_url)
    assert problems == ["sql/users/forgotten.sql is run by no query function"]


def test_samples_cover_the_annotations_query_functions_use() -> None:
    from datetime import date, datetime
    from typing import Any, Literal
    from uuid import UUID

    from service.queries.processing_jobs import NewJob

    assert isinstance(verify.sample(UUID | None), UUID)
    assert verify.sample(Literal["a", "b"]) == "a"
    assert isinstance(verify.sample(list[str])[0], str)
    assert isinstance(verify.sample(datetime), datetime)
    assert isinstance(verify.sample(date), date)
    assert isinstance(verify.sample(Any), dict)
    job = verify.sample(NewJob)
    assert isinstance(job, NewJob) and job.entity_id is not None
    with pytest.raises(TypeError, match="no sample value"):
        verify.sample(complex)
