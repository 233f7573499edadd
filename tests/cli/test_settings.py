from pathlib import Path

import pytest

from service.cli import main
from service.settings import ConfigError, load_settings


def test_defaults_without_environment() -> None:
    settings = load_settings({})
    assert settings.database_url is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert (settings.pool_min_size, settings.pool_max_size) == (2, 30)
    assert settings.auto_migrate is True
    assert settings.data_dir.name == "tubebase"


def test_every_variable_is_read() -> None:
    settings = load_settings(
        {
            "DATABASE_URL": "postgresql://u@h/db",
            "TUBEBASE_DATA_DIR": "/srv/tb",
            "TUBEBASE_HOST": "127.0.0.2",
            "TUBEBASE_PORT": "9000",
            "TUBEBASE_POOL_MIN_SIZE": "1",
            "TUBEBASE_POOL_MAX_SIZE": "5",
            "TUBEBASE_SESSION_TTL_SECONDS": "120",
            "TUBEBASE_AUTO_MIGRATE": "false",
            "TUBEBASE_LOG_LEVEL": "debug",
        }
    )
    assert settings.database_url == "postgresql://u@h/db"
    assert settings.data_dir == Path("/srv/tb")
    assert (settings.host, settings.port) == ("127.0.0.2", 9000)
    assert (settings.pool_min_size, settings.pool_max_size) == (1, 5)
    assert settings.session_ttl_seconds == 120
    assert settings.auto_migrate is False
    assert settings.log_level == "DEBUG"


def test_database_wait_seconds() -> None:
    assert load_settings({}).database_wait_seconds == 30
    assert load_settings({"TUBEBASE_DATABASE_WAIT_SECONDS": "0"}).database_wait_seconds == 0
    assert load_settings({"TUBEBASE_DATABASE_WAIT_SECONDS": "120"}).database_wait_seconds == 120
    with pytest.raises(ConfigError, match="TUBEBASE_DATABASE_WAIT_SECONDS must be at least 0"):
        load_settings({"TUBEBASE_DATABASE_WAIT_SECONDS": "-1"})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TUBEBASE_PORT": "eighty"}, "TUBEBASE_PORT must be an integer"),
        ({"TUBEBASE_POOL_MAX_SIZE": "0"}, "TUBEBASE_POOL_MAX_SIZE must be at least 1"),
        ({"TUBEBASE_POOL_MIN_SIZE": "9", "TUBEBASE_POOL_MAX_SIZE": "3"}, "exceeds"),
        ({"TUBEBASE_AUTO_MIGRATE": "maybe"}, "TUBEBASE_AUTO_MIGRATE must be true or false"),
        ({"TUBEBASE_SESSION_TTL_SECONDS": "5"}, "at least 60"),
    ],
)
def test_bad_values_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


def test_cli_reports_configuration_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TUBEBASE_PORT", "nope")
    assert main(["db", "status"]) == 2
    assert "TUBEBASE_PORT must be an integer" in capsys.readouterr().err


def test_hnsw_ef_search_and_the_retrieval_window_stop_at_1000() -> None:
    for name in ("TUBEBASE_HNSW_EF_SEARCH", "TUBEBASE_RETRIEVAL_WINDOW"):
        with pytest.raises(ConfigError, match=f"{name} must be at most 1000, got 1001"):
            load_settings({name: "1001"})
    assert load_settings({"TUBEBASE_HNSW_EF_SEARCH": "1000"}).hnsw_ef_search == 1000


def test_the_pgbouncer_settings() -> None:
    default = load_settings({})
    assert (default.statement_cache_size, default.database_direct_url) == (100, None)
    behind = load_settings(
        {"TUBEBASE_STATEMENT_CACHE_SIZE": "0", "DATABASE_DIRECT_URL": "postgresql://u@db:5432/tb"}
    )
    assert (behind.statement_cache_size, behind.database_direct_url) == (
        0,
        "postgresql://u@db:5432/tb",
    )
    with pytest.raises(ConfigError, match="TUBEBASE_STATEMENT_CACHE_SIZE must be at least 0"):
        load_settings({"TUBEBASE_STATEMENT_CACHE_SIZE": "-1"})


async def test_with_the_cache_off_the_pool_keeps_no_prepared_statements(database_url: str) -> None:
    from service.db import create_pool

    prepared = "SELECT count(*) FROM pg_prepared_statements"
    for size, kept in ((0, 0), (100, 1)):
        pool = await create_pool(database_url, min_size=1, max_size=1, statement_cache_size=size)
        try:
            async with pool.acquire() as conn:
                await conn.fetchval("SELECT $1::int", 1)
                assert await conn.fetchval(prepared) >= kept
                if size == 0:
                    assert await conn.fetchval(prepared) == 0
        finally:
            await pool.close()
