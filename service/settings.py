"""Configuration from environment variables (the README lists them in one table)."""

import os
from pathlib import Path

import msgspec
import platformdirs


class ConfigError(ValueError):
    pass


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None
    # Session-bound work (the worker's LISTEN) when DATABASE_URL goes through PgBouncer.
    database_direct_url: str | None = None
    # A streaming replica for the heavy reads, and how far behind it may be waited for.
    database_read_url: str | None = None
    replica_max_wait_ms: int = 250
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    pool_min_size: int = 2
    pool_max_size: int = 30
    session_ttl_seconds: int = 7 * 24 * 3600
    auto_migrate: bool = True
    log_level: str = "INFO"
    chunk_tokens: int = 300
    chunk_overlap_tokens: int = 50
    job_backoff_seconds: int = 10
    job_backoff_max_seconds: int = 3600
    job_stale_seconds: int = 600
    search_candidates: int = 10_000
    # Semantic and hybrid retrieval: see "Semantic search" in the README.
    hnsw_ef_search: int = 100
    rrf_k: int = 60
    retrieval_window: int = 100
    exact_search_below: int = 25_000
    retrieval_candidates: int = 2_000
    # The embed_transcript job's OpenAI-compatible /v1/embeddings endpoint.
    embedding_url: str | None = None
    embedding_model: str | None = None
    embedding_api_key: str | None = None
    embedding_batch_size: int = 64
    embedding_timeout_seconds: int = 60
    # Fail fast instead of stalling: see "The request path" in the README.
    pool_acquire_timeout_ms: int = 5_000
    statement_timeout_ms: int = 30_000
    lock_timeout_ms: int = 5_000
    idle_in_transaction_timeout_ms: int = 60_000
    # asyncpg's prepared statements per connection; 0 behind PgBouncer < 1.21 in
    # transaction mode (it cannot follow named statements from one server to another).
    statement_cache_size: int = 100
    cpu_workers: int = 2
    cpu_queue: int = 32
    # Login throttling: see "Accounts and logins" in the README.
    login_account_failures: int = 5
    login_address_failures: int = 100
    login_window_seconds: int = 900
    login_max_wait_seconds: int = 900
    max_body_bytes: int = 32 * 1024 * 1024
    cors_origins: tuple[str, ...] = ()
    # `serve` waits this long for PostgreSQL to accept connections (0: one attempt).
    database_wait_seconds: int = 30

    def server_settings(self) -> dict[str, str]:
        """Session settings of every pooled connection (0 means no timeout)."""
        return {
            "statement_timeout": str(self.statement_timeout_ms),
            "lock_timeout": str(self.lock_timeout_ms),
            "idle_in_transaction_session_timeout": str(self.idle_in_transaction_timeout_ms),
        }


def _int(
    env: dict[str, str], name: str, default: int, minimum: int, maximum: int | None = None
) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:  # hnsw.ef_search stops at 1,000
        raise ConfigError(f"{name} must be at most {maximum}, got {value}")
    return value


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ) if env is None else env
    pool_min = _int(env, "TUBEBASE_POOL_MIN_SIZE", 2, 0)
    pool_max = _int(env, "TUBEBASE_POOL_MAX_SIZE", 30, 1)
    if pool_min > pool_max:
        raise ConfigError(
            f"TUBEBASE_POOL_MIN_SIZE ({pool_min}) exceeds TUBEBASE_POOL_MAX_SIZE ({pool_max})"
        )
    chunk_tokens = _int(env, "TUBEBASE_CHUNK_TOKENS", 300, 10)
    chunk_overlap = _int(env, "TUBEBASE_CHUNK_OVERLAP_TOKENS", 50, 0)
    if 2 * chunk_overlap >= chunk_tokens:
        raise ConfigError(
            f"TUBEBASE_CHUNK_OVERLAP_TOKENS ({chunk_overlap}) must be below half of "
            f"TUBEBASE_CHUNK_TOKENS ({chunk_tokens})"
        )
    data_dir = env.get("TUBEBASE_DATA_DIR") or platformdirs.user_data_dir("tubebase")
    return Settings(
        database_url=env.get("DATABASE_URL") or None,
        database_direct_url=env.get("DATABASE_DIRECT_URL") or None,
        database_read_url=env.get("DATABASE_READ_URL") or None,
        replica_max_wait_ms=_int(env, "TUBEBASE_REPLICA_MAX_WAIT_MS", 250, 0),
        data_dir=Path(data_dir).expanduser(),
        host=env.get("TUBEBASE_HOST") or "127.0.0.1",
        port=_int(env, "TUBEBASE_PORT", 8000, 1),
        pool_min_size=pool_min,
        pool_max_size=pool_max,
        session_ttl_seconds=_int(env, "TUBEBASE_SESSION_TTL_SECONDS", 7 * 24 * 3600, 60),
        auto_migrate=_bool(env, "TUBEBASE_AUTO_MIGRATE", True),
        log_level=(env.get("TUBEBASE_LOG_LEVEL") or "INFO").upper(),
        chunk_tokens=chunk_tokens,
        chunk_overlap_tokens=chunk_overlap,
        job_backoff_seconds=_int(env, "TUBEBASE_JOB_BACKOFF_SECONDS", 10, 1),
        job_backoff_max_seconds=_int(env, "TUBEBASE_JOB_BACKOFF_MAX_SECONDS", 3600, 1),
        job_stale_seconds=_int(env, "TUBEBASE_JOB_STALE_SECONDS", 600, 1),
        search_candidates=_int(env, "TUBEBASE_SEARCH_CANDIDATES", 10_000, 100),
        hnsw_ef_search=_int(env, "TUBEBASE_HNSW_EF_SEARCH", 100, 1, maximum=1000),
        rrf_k=_int(env, "TUBEBASE_RRF_K", 60, 1),
        retrieval_window=_int(env, "TUBEBASE_RETRIEVAL_WINDOW", 100, 10, maximum=1000),
        exact_search_below=_int(env, "TUBEBASE_EXACT_SEARCH_BELOW", 25_000, 0),
        retrieval_candidates=_int(env, "TUBEBASE_RETRIEVAL_CANDIDATES", 2_000, 10),
        embedding_url=env.get("TUBEBASE_EMBEDDING_URL") or None,
        embedding_model=env.get("TUBEBASE_EMBEDDING_MODEL") or None,
        embedding_api_key=env.get("TUBEBASE_EMBEDDING_API_KEY") or None,
        embedding_batch_size=_int(env, "TUBEBASE_EMBEDDING_BATCH_SIZE", 64, 1),
        embedding_timeout_seconds=_int(env, "TUBEBASE_EMBEDDING_TIMEOUT_SECONDS", 60, 1),
        pool_acquire_timeout_ms=_int(env, "TUBEBASE_POOL_ACQUIRE_TIMEOUT_MS", 5_000, 1),
        statement_timeout_ms=_int(env, "TUBEBASE_STATEMENT_TIMEOUT_MS", 30_000, 0),
        lock_timeout_ms=_int(env, "TUBEBASE_LOCK_TIMEOUT_MS", 5_000, 0),
        idle_in_transaction_timeout_ms=_int(
            env, "TUBEBASE_IDLE_IN_TRANSACTION_TIMEOUT_MS", 60_000, 0
        ),
        statement_cache_size=_int(env, "TUBEBASE_STATEMENT_CACHE_SIZE", 100, 0),
        cpu_workers=_int(env, "TUBEBASE_CPU_WORKERS", os.cpu_count() or 2, 1),
        cpu_queue=_int(env, "TUBEBASE_CPU_QUEUE", 32, 0),
        login_account_failures=_int(env, "TUBEBASE_LOGIN_ACCOUNT_FAILURES", 5, 1),
        login_address_failures=_int(env, "TUBEBASE_LOGIN_ADDRESS_FAILURES", 100, 1),
        login_window_seconds=_int(env, "TUBEBASE_LOGIN_WINDOW_SECONDS", 900, 1),
        login_max_wait_seconds=_int(env, "TUBEBASE_LOGIN_MAX_WAIT_SECONDS", 900, 1),
        max_body_bytes=_int(env, "TUBEBASE_MAX_BODY_BYTES", 32 * 1024 * 1024, 1024),
        cors_origins=tuple(
            o.strip() for o in (env.get("TUBEBASE_CORS_ORIGINS") or "").split(",") if o.strip()
        ),
        database_wait_seconds=_int(env, "TUBEBASE_DATABASE_WAIT_SECONDS", 30, 0),
    )
