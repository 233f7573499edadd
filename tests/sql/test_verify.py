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


async def test_a_renamed_column_names_the_files_that_use_it(migrated_url: str) -> None:
    _alter(migrated_url, "ALTER TABLE chunks RENAME COLUMN chunk_text TO body")
    problems = await verify.verify(migrated_url)
    assert any(
        p.startswith(
            "sql/chunks/list_by_transcript.sql (run by chunks.list_by_transcript): "
            "PostgreSQL refuses it"
        )
        and "chunk_text" in p
        for p in problems
    ), problems


async def test_a_changed_column_type_names_file_column_and_both_types(migrated_url: str) -> None:
    _alter(
        migrated_url,
        "ALTER TABLE chunks DROP CONSTRAINT chunks_token_count_not_negative",
        "ALTER TABLE chunks ALTER COLUMN token_count TYPE text",
    )
    problems = await verify.verify(migrated_url)
    expected = (
        "sql/chunks/list_by_transcript.sql (run by chunks.list_by_transcript): "
        "column token_count is text, Chunk.token_count is <class 'int'>"
    )
    assert expected in problems


async def test_a_parameter_of_another_type_names_the_argument(migrated_url: str) -> None:
    _alter(
        migrated_url,
        "ALTER TABLE chunks DROP CONSTRAINT chunks_user_id_fkey",
        "ALTER TABLE chunks DROP CONSTRAINT chunks_transcript_fkey",
        "ALTER TABLE chunks ALTER COLUMN user_id TYPE text",
    )
    problems = await verify.verify(migrated_url)
    assert (
        "sql/chunks/get_by_ids.sql (run by chunks.get_by_ids): "
        "parameter $2 is text, but user_id passes UUID"
    ) in problems, problems


async def test_an_optional_field_may_read_a_not_null_column(migrated_url: str) -> None:
    """Only one way round: an outer join can make a NOT NULL column NULL (the login
    query's account columns), so an optional field over one is not a problem."""
    _alter(migrated_url, "ALTER TABLE videos ALTER COLUMN title SET NOT NULL")
    problems = await verify.verify(migrated_url)
    assert not any(p.startswith("sql/chunks/search.sql") for p in problems), problems


async def test_a_nullable_column_read_into_a_required_field_is_reported(migrated_url: str) -> None:
    _alter(migrated_url, "ALTER TABLE chunks ALTER COLUMN chunk_text DROP NOT NULL")
    problems = await verify.verify(migrated_url)
    assert any(
        p.startswith("sql/chunks/list_by_transcript.sql")
        and "column chunk_text can be NULL, Chunk.chunk_text is <class 'str'> (not optional)" in p
        for p in problems
    ), problems


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
