"""Before a command uses DATABASE_URL: is there a PostgreSQL to talk to?

A command that cannot reach its database says so in two lines, what failed and
what to do, instead of a driver's traceback. `serve` waits for a server that is
still starting (docker compose starts the service before PostgreSQL accepts TCP
connections): TUBEBASE_DATABASE_WAIT_SECONDS, one attempt every RETRY_SECONDS, one
log line each. No message shows the URL's password."""

import logging
import re
import sys
import time
from collections.abc import Callable
from typing import Any

import msgspec
import psycopg
from psycopg.conninfo import conninfo_to_dict

log = logging.getLogger("tubebase")

RETRY_SECONDS = 2.0
CONNECT_TIMEOUT_SECONDS = 5
URL_EXAMPLE = "postgresql://user:password@host:5432/dbname"
UNSET_HINT = "check DATABASE_URL, or unset it to use the embedded server"


class StartupError(RuntimeError):
    """A command cannot start; its message is what to show, as it is."""


class DatabaseUnavailable(StartupError):
    pass


class Failure(msgspec.Struct, frozen=True):
    reason: str
    hint: str
    transient: bool  # worth another attempt while the server starts


def _parts(url: str) -> dict[str, str]:
    try:
        parts: dict[str, str] = {k: str(v) for k, v in conninfo_to_dict(url).items()}
    except psycopg.Error:
        return {}
    return parts


def redact(url: str) -> str:
    """The URL with its password (in the authority or as ?password=) shown as ***."""
    url = re.sub(r"^([a-z][a-z0-9+.-]*://[^:/@?#]*:)[^@/?#]*@", r"\1***@", url, flags=re.I)
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", url, flags=re.I)


def where(url: str) -> str:
    """host:port, or the socket directory, that the URL points at."""
    parts = _parts(url)
    host = parts.get("host", "")
    if not host:
        return "the default Unix socket"
    if host.startswith("/"):
        return f"the Unix socket in {host}"
    return f"{host}:{parts.get('port') or 5432}"


def _hide_password(text: str, url: str) -> str:
    password = _parts(url).get("password")
    if not password:
        return text
    # Where it stands on its own: a password "s" leaves "server" as it is.
    return re.sub(rf"(?<![A-Za-z0-9]){re.escape(password)}(?![A-Za-z0-9])", "***", text)


# libpq: 'connection to server at "h" (1.2.3.4), port 5432 failed: FATAL:  the reason',
# which psycopg prefixes with 'connection failed: ' (and, when a host name gave
# several addresses, lists one such line per address, after a summary line).
_LIBPQ_PREFIX = re.compile(
    r"^(?:.*?connection failed:\s*)?"
    r'(?:connection to server (at|on socket) "[^"]*"( \([^)]*\))?(, port \d+)? failed:\s*)?'
)
_LIBPQ_LEVEL = re.compile(r"^(FATAL|ERROR):\s*")


def diagnose(exc: BaseException, url: str) -> Failure:
    """What a failed connection attempt means, in words for DATABASE_URL's owner."""
    text = _hide_password(str(exc), url).strip() or type(exc).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # The first line that names a server says why it failed (psycopg's summary of
    # several attempts comes before it).
    first = next(
        (line for line in lines if "connection to server" in line), lines[0] if lines else text
    )
    reason = _LIBPQ_LEVEL.sub("", _LIBPQ_PREFIX.sub("", first)).rstrip(".")
    reason = reason[:1].lower() + reason[1:]
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        return Failure(reason, "check the user name and password in DATABASE_URL", False)
    if re.search(r'role "[^"]*" does not exist', low):
        return Failure(reason, "check the user name in DATABASE_URL", False)
    if "pg_hba.conf" in low:
        return Failure(
            reason, "the server refuses this user from this host: see its pg_hba.conf", False
        )
    if re.search(r'database "[^"]*" does not exist', low):
        return Failure(
            reason, "create that database (createdb NAME) or fix its name in DATABASE_URL", False
        )
    transient = (
        "connection refused",
        "timeout expired",
        "timed out",
        "could not translate host name",
        "name or service not known",
        "temporary failure in name resolution",
        "no route to host",
        "network is unreachable",
        "no such file or directory",  # a Unix socket that is not there yet
        "the database system is starting up",
        "the database system is shutting down",
        "the database system is in recovery mode",
        "server closed the connection unexpectedly",
        "too many clients",
    )
    if any(marker in low for marker in transient) or isinstance(exc, OSError):
        return Failure(reason, UNSET_HINT, True)
    return Failure(reason, UNSET_HINT, False)


def _connect(url: str) -> None:
    psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS).close()


def _refuse_malformed(url: str) -> None:
    if not re.match(r"^postgres(ql)?://", url, re.I):
        raise DatabaseUnavailable(
            f"DATABASE_URL is not a PostgreSQL URL\nset it to {URL_EXAMPLE}, "
            "or unset it to use the embedded server"
        )
    try:
        conninfo_to_dict(url)
    except psycopg.Error as exc:
        detail = _hide_password(str(exc).strip().splitlines()[0], url)
        raise DatabaseUnavailable(
            f"DATABASE_URL is not a valid PostgreSQL URL ({detail})\n"
            f"set it to {URL_EXAMPLE}, or unset it to use the embedded server"
        ) from None


def wait_for_database(
    url: str,
    wait_seconds: float,
    *,
    connect: Callable[[str], Any] = _connect,
    sleep: Callable[[float], Any] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Returns once a connection to the URL succeeds. A failure that waiting cannot
    mend (a wrong password, no such database, a malformed URL) raises at once;
    otherwise attempts go on for up to wait_seconds (0: one attempt)."""
    _refuse_malformed(url)
    deadline = clock() + wait_seconds
    attempt = 0
    while True:
        attempt += 1
        try:
            connect(url)
            if attempt > 1:
                log.info("PostgreSQL at %s accepts connections", where(url))
            return
        except (psycopg.Error, OSError) as exc:
            failure = diagnose(exc, url)
        remaining = deadline - clock()
        if not failure.transient or remaining <= 0:
            waited = f" (gave up after {wait_seconds:g} s)" if attempt > 1 else ""
            raise DatabaseUnavailable(
                f"cannot connect to PostgreSQL at {where(url)}: {failure.reason}{waited}\n"
                f"{failure.hint}"
            )
        log.warning(
            "waiting for PostgreSQL at %s (%s): attempt %d, retrying for up to %.0f s more",
            where(url),
            failure.reason,
            attempt,
            remaining,
        )
        sleep(min(RETRY_SECONDS, remaining))


def database_error(exc: BaseException, url: str | None) -> str | None:
    """One line for a connection lost in the middle of a command (the check at
    start-up passed), or None when exc is no database connection error."""
    kinds: list[type[BaseException]] = [ConnectionError, psycopg.OperationalError]
    if "asyncpg" in sys.modules:
        asyncpg = sys.modules["asyncpg"]
        kinds += [asyncpg.PostgresConnectionError, asyncpg.ConnectionDoesNotExistError]
        kinds += [asyncpg.InvalidAuthorizationSpecificationError, asyncpg.InvalidCatalogNameError]
    if not isinstance(exc, tuple(kinds)):
        return None
    if url is None:
        return f"the embedded PostgreSQL: {diagnose(exc, '').reason}"
    failure = diagnose(exc, url)
    return f"PostgreSQL at {where(url)}: {failure.reason}\n{failure.hint}"
