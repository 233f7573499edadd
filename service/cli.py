"""The `tubebase` command: serve, migrate, grant admin rights, purge sessions."""

import argparse
import asyncio
import importlib.metadata
import logging
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from service.settings import ConfigError, Settings, load_settings
from service.startup import StartupError, database_error, redact, wait_for_database
from service.tooling import migrations

log = logging.getLogger("tubebase")

T = TypeVar("T")

# Commands that keep running: they log at TUBEBASE_LOG_LEVEL. The others print their
# result and log only warnings, unless -v.
SERVICES = {"serve", "worker"}


def version() -> str:
    try:
        return importlib.metadata.version("tubebase")
    except importlib.metadata.PackageNotFoundError:  # run from a bare checkout
        return "unknown (not installed)"


@contextmanager
def database(settings: Settings, *, wait: bool = False) -> Iterator[str]:
    """DATABASE_URL when set (once a connection to it succeeds: with `wait`, within
    TUBEBASE_DATABASE_WAIT_SECONDS), else the embedded server (started here, stopped
    on exit unless another tubebase process still uses it)."""
    if settings.database_url:
        wait_for_database(settings.database_url, settings.database_wait_seconds if wait else 0)
        yield settings.database_url
        return
    from service.tooling.embedded import start_embedded

    started = time.perf_counter()
    server, url = start_embedded(settings.data_dir)
    log.info(
        "embedded PostgreSQL ready in %.1fs (data in %s)",
        time.perf_counter() - started,
        settings.data_dir / "pgdata",
    )
    try:
        yield url
    finally:
        server.stop()


def _with_connection(url: str, work: Callable[[Any], Awaitable[T]]) -> T:
    """Runs `work` on one connection to the database, for the short commands."""
    from service.db import connect

    async def run() -> T:
        conn = await connect(url)
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(run())


def _apply_pending(settings: Settings, url: str) -> None:
    # yoyo holds a session-level advisory lock: not through a transaction pooler
    applied = migrations.apply(settings.database_direct_url or url)
    log.info("migrations applied: %s", ", ".join(applied) if applied else "none pending")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    # uvicorn shuts down gracefully on SIGTERM, then re-raises it; with Python's
    # default handler that would kill us before the embedded server is stopped.
    signal.signal(signal.SIGTERM, _exit_cleanly)

    from service.api.app import create_app, tune_gc

    host = args.host or settings.host
    port = args.port or settings.port
    with database(settings, wait=True) as url:
        if settings.auto_migrate:
            _apply_pending(settings, url)
        level = logging.getLogger().getEffectiveLevel()
        options: dict[str, Any] = {
            "host": host,
            "port": port,
            "log_level": logging.getLevelName(level).lower(),
            # uvicorn logs each request at INFO; below that it need not build the line.
            "access_log": level <= logging.INFO,
            "lifespan": "on",
        }
        if args.workers > 1:
            log.info(
                "serving on http://%s:%d with %d processes (API docs at /schema)",
                host, port, args.workers,
            )  # fmt: skip
            os.environ["DATABASE_URL"] = url  # what each process connects to
            uvicorn.run("service.api.asgi:create", factory=True, workers=args.workers, **options)
            return 0
        log.info("serving on http://%s:%d (API docs at /schema)", host, port)
        app = create_app(settings, url)
        tune_gc()
        uvicorn.run(app, **options)
    return 0


def _confirm(question: str) -> bool:
    """True when the person at the terminal answers y (or yes)."""
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in {"y", "yes"}


def _rollback(args: argparse.Namespace, url: str) -> int:
    if args.all and not args.yes:
        applied = sum(item.applied for item in migrations.status(url))
        if not sys.stdin.isatty():
            print(
                "refusing to roll back every migration without confirmation: "
                "pass --yes (nothing was rolled back)",
                file=sys.stderr,
            )
            return 2
        question = (
            f"roll back all {applied} applied migrations of {redact(url)}? "
            "This drops every table tubebase made, with its data."
        )
        if not _confirm(question):
            print("nothing was rolled back", file=sys.stderr)
            return 1
    try:
        rolled = migrations.rollback(url, None if args.all else args.steps)
    except migrations.IrreversibleMigrationError as exc:
        print(exc, file=sys.stderr)
        return 1
    print("rolled back: " + (", ".join(rolled) if rolled else "nothing"))
    return 0


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "new":
        try:
            created = migrations.new(args.name, irreversible=args.irreversible)
        except (ValueError, FileExistsError) as exc:
            print(exc, file=sys.stderr)
            return 2
        print(f"created {created}\ncreated {migrations.rollback_path(created.stem)}")
        return 0
    if args.action == "url" and settings.database_url:
        print(settings.database_url)  # as it is: no need to reach it
        return 0
    if args.action == "diagram" and args.readme is not None and not args.readme.is_file():
        print(f"cannot rewrite {args.readme}: no such file", file=sys.stderr)
        return 2
    with database(settings) as pooled_url:
        # The schema tooling holds advisory locks and prepares statements: sessions of
        # its own, so past PgBouncer when DATABASE_DIRECT_URL says how.
        url = settings.database_direct_url or pooled_url
        if args.action == "apply":
            applied = migrations.apply(url)
            print("applied: " + ", ".join(applied) if applied else "no pending migrations")
        elif args.action == "rollback":
            return _rollback(args, url)
        elif args.action == "verify":
            return _verify(url)
        elif args.action == "generate":
            return _generate(url, check=args.check)
        elif args.action == "check":
            return _check(url)
        elif args.action == "diagram":
            return _diagram(url, args.readme)
        elif args.action == "status":
            for item in migrations.status(url):
                print(f"{'applied' if item.applied else 'pending':8} {item.id}")
        elif args.action == "url":
            print(url)
            print(
                "note: this is the embedded server's URL: it works only while a tubebase "
                "process (e.g. `tubebase serve`) keeps the embedded server running",
                file=sys.stderr,
            )
    return 0


def _verify(url: str) -> int:
    from service.tooling.scratch import scratch_database
    from service.tooling.verify import query_functions, verify

    with scratch_database(url) as scratch:
        migrations.apply(scratch)
        problems = asyncio.run(verify(scratch))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problems", file=sys.stderr)
        return 1
    print(f"{len(query_functions())} query functions agree with their SQL")
    return 0


def _generate(url: str, *, check: bool) -> int:
    from service.tooling.generate import HeaderError, generate, stale, write
    from service.tooling.scratch import scratch_database

    with scratch_database(url) as scratch:
        migrations.apply(scratch)
        try:
            rendered = generate(scratch)
        except HeaderError as exc:
            print(exc, file=sys.stderr)
            return 1
    if check:
        behind = stale(rendered)
        for path in behind:
            print(
                f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
                " is stale: run `tubebase db generate`",
                file=sys.stderr,
            )
        return 1 if behind else 0
    changed = write(rendered)
    print(f"generated {len(rendered) - 1} modules; {len(changed)} changed")
    return 0


def _check(url: str) -> int:
    from service.tooling.drift import check

    report = check(url)
    for line in report.lines():
        print(line)
    if not report.ok:
        return 1
    print("the database matches its migrations")
    return 0


DIAGRAM_START, DIAGRAM_END = "<!-- er-diagram:start -->", "<!-- er-diagram:end -->"


def _diagram(url: str, readme: Path | None) -> int:
    from service.tooling.schema import mermaid

    pending = [m.id for m in migrations.status(url) if not m.applied]
    if pending:
        print(
            f"the database lacks {len(pending)} migration(s) ({', '.join(pending)}): "
            "run `tubebase db apply` first, so the diagram shows the schema they make",
            file=sys.stderr,
        )
        return 1
    diagram = mermaid(url)
    if readme is None:
        print(diagram, end="")
        return 0
    try:
        text = readme.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {readme}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return 2
    if DIAGRAM_START not in text or DIAGRAM_END not in text:
        print(f"{readme} has no {DIAGRAM_START} … {DIAGRAM_END} block", file=sys.stderr)
        return 2
    head, rest = text.split(DIAGRAM_START, 1)
    _, tail = rest.split(DIAGRAM_END, 1)
    block = f"{DIAGRAM_START}\n```mermaid\n{diagram}```\n{DIAGRAM_END}"
    try:
        readme.write_text(head + block + tail)
    except OSError as exc:
        print(f"cannot write {readme}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"updated the diagram in {readme}")
    return 0


def cmd_admin(args: argparse.Namespace, settings: Settings) -> int:
    from service.queries import users

    def set_admin(conn: Any) -> Awaitable[users.User | None]:
        return users.set_admin(conn, username=args.username, is_admin=args.action == "grant")

    with database(settings) as url:
        if _with_connection(url, set_admin) is None:
            print(f"no user named {args.username!r}", file=sys.stderr)
            return 1
    print(f"{args.username}: admin rights {'granted' if args.action == 'grant' else 'revoked'}")
    return 0


def cmd_sessions(args: argparse.Namespace, settings: Settings) -> int:
    from service.queries import sessions

    with database(settings) as url:
        print(f"purged {_with_connection(url, sessions.delete_expired)} expired sessions")
    return 0


def cmd_embeddings(args: argparse.Namespace, settings: Settings) -> int:
    import asyncpg

    from service.embeddings import MAX_DIMS
    from service.queries import embeddings

    async def add_model(conn: Any) -> str:
        if len(args.name) > 200:
            return "a model name is at most 200 characters"
        if not 1 <= args.dims <= MAX_DIMS:
            return f"--dims must be between 1 and {MAX_DIMS} (what an HNSW index takes)"
        async with conn.transaction():
            try:
                model = await embeddings.create_model(
                    conn, name=args.name, dims=args.dims, distance=args.distance
                )
            except asyncpg.UniqueViolationError:
                return f"a model named {args.name!r} exists already"
            except asyncpg.CheckViolationError:
                return (
                    f"{args.name!r} is not a model name: letters, digits and . _ : / @ + - "
                    "(starting with a letter or digit)"
                )
            if args.no_index:
                index = "none yet: load vectors, then tubebase embeddings build-index"
            else:
                index = await embeddings.create_index(conn, model_id=model.id)
        print(f"added {model.name}: {model.dims} dimensions, {model.distance}; index {index}")
        return ""

    async def list_models(conn: Any) -> str:
        found = await embeddings.list_models(conn)
        if not found:
            print("no embedding models (tubebase embeddings add-model NAME --dims N)")
        for model in found:
            vectors = await embeddings.count_vectors(conn, model_id=model.id)
            print(f"{model.name}\t{model.dims} dims\t{model.distance}\t{vectors} vectors")
        return ""

    async def drop_model(conn: Any) -> str:
        model = await embeddings.get_model_by_name(conn, name=args.name)
        if model is None:
            return f"no embedding model named {args.name!r}"
        vectors = await embeddings.count_vectors(conn, model_id=model.id)
        question = f"drop {model.name} and its {vectors} vectors?"
        if vectors and not args.yes and not _confirm(question):
            return "nothing dropped"
        # CONCURRENTLY: searches and writes of other models go on meanwhile.
        await conn.execute(await embeddings.drop_index_statement(conn, model_id=model.id))
        await embeddings.delete_model(conn, model_id=model.id)
        print(f"dropped {model.name} and its {vectors} vectors")
        return ""

    work = {"add-model": add_model, "list-models": list_models, "drop-model": drop_model}
    with database(settings) as url:
        try:
            if args.action == "build-index":
                problem = asyncio.run(_build_index(url, args.name, args.memory, args.quiet))
            else:
                problem = _with_connection(url, work[args.action])
        except asyncpg.UndefinedTableError:
            problem = "the schema has no embedding models yet: run tubebase db apply first"
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


async def _build_index(url: str, name: str, memory: str, quiet: bool) -> str:
    """CREATE INDEX CONCURRENTLY for a model (writes go on meanwhile), with a progress
    bar read from pg_stat_progress_create_index on a second connection."""
    import asyncpg
    from tqdm import tqdm

    from service.db import connect
    from service.queries import embeddings

    conn = await connect(url)
    watcher = await connect(url)
    try:
        model = await embeddings.get_model_by_name(conn, name=name)
        if model is None:
            return f"no embedding model named {name!r}"
        state = await embeddings.index_state(conn, model_id=model.id)
        if state is not None and state.valid:
            print(f"{model.name} has its index already")
            return ""
        if state is not None:  # what a failed CONCURRENTLY build leaves behind
            await conn.execute(await embeddings.drop_index_statement(conn, model_id=model.id))
        try:
            await embeddings.set_build_memory(conn, memory=memory)
        except asyncpg.PostgresError as exc:
            return f"--memory {memory!r}: {exc}"
        vectors = await embeddings.count_vectors(conn, model_id=model.id)
        started = time.perf_counter()
        build = asyncio.create_task(
            conn.execute(await embeddings.index_statement(conn, model_id=model.id))
        )
        with tqdm(total=vectors, unit="vectors", disable=quiet, desc=model.name) as bar:
            while not build.done():
                progress = await embeddings.build_progress(watcher, pid=conn.get_server_pid())
                if progress is not None and progress.tuples_done is not None:
                    bar.n = min(progress.tuples_done, vectors)
                    bar.set_postfix_str(progress.phase or "", refresh=False)
                    bar.refresh()
                await asyncio.wait([build], timeout=0.5)
            await build
            bar.n = vectors
        built = await embeddings.index_state(conn, model_id=model.id)
        size = 0 if built is None or built.bytes is None else built.bytes
        print(
            f"built the index of {model.name}: {vectors} vectors in "
            f"{time.perf_counter() - started:.1f} s, {size / 1024 / 1024:.0f} MB"
        )
        return ""
    finally:
        await watcher.close()
        await conn.close()


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from service.db import create_pool
    from service.worker import HANDLERS, Worker

    async def run(url: str) -> int:
        pool = await create_pool(
            url,
            min_size=1,
            max_size=args.concurrency + 1,
            statement_cache_size=settings.statement_cache_size,
        )
        try:
            worker = Worker(pool, settings, name=args.name, concurrency=args.concurrency)
            if args.once:
                return await worker.run_until_idle()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            log.info(
                "worker %s running %s, %d at a time (Ctrl-C stops)",
                worker.name,
                ", ".join(HANDLERS),
                args.concurrency,
            )
            listen_url = settings.database_direct_url or url
            await worker.run_forever(stop, poll_seconds=args.poll, listen_url=listen_url)
            return 0
        finally:
            await pool.close()

    with database(settings, wait=not args.once) as url:
        if settings.auto_migrate:
            _apply_pending(settings, url)
        ran = asyncio.run(run(url))
    if args.once:
        print(f"ran {ran} jobs")
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from service.importer import ImportReport, import_file
    from service.queries import users

    path: Path = args.file
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2

    async def run(conn: Any) -> ImportReport | None:
        owner = await users.get_by_username(conn, username=args.user)
        if owner is None:
            return None
        return await import_file(
            conn, path=path, user_id=owner.id, settings=settings, progress=not args.quiet
        )

    with database(settings) as url:
        if settings.auto_migrate:
            _apply_pending(settings, url)
        report = _with_connection(url, run)
    if report is None:
        print(f"no user named {args.user!r}", file=sys.stderr)
        return 2
    for rejected in report.rejected:
        print(f"line {rejected.line_number}: {rejected.reason}", file=sys.stderr)
    if args.rejects:  # rewritten every run, so an old file never lingers
        args.rejects.write_bytes(b"".join(r.raw + b"\n" for r in report.rejected))
    imported = ", ".join(f"{n} {kind}s" for kind, n in sorted(report.imported.items()))
    print(f"imported {imported or 'nothing'}; rejected {len(report.rejected)} lines")
    return 1 if report.rejected else 0


def build_parser() -> argparse.ArgumentParser:
    # -v before or after the command: `tubebase -v db check`, `tubebase db check -v`.
    verbosity = argparse.ArgumentParser(add_help=False)
    verbosity.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="log what happens (-v: INFO, with yoyo's steps; -vv: DEBUG)",
    )
    parser = argparse.ArgumentParser(
        prog="tubebase",
        description="PostgreSQL data service for video-knowledge apps. "
        "Uses DATABASE_URL, or an embedded PostgreSQL when it is unset.",
        parents=[verbosity],
    )
    parser.add_argument("--version", action="version", version=f"tubebase {version()}")
    common = [verbosity]
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve", parents=common, help="apply pending migrations and serve HTTP"
    )
    serve.add_argument("--host", help="interface to bind (default TUBEBASE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default TUBEBASE_PORT or 8000)")
    serve.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="processes sharing the port (default 1); each has its own pool of "
        "TUBEBASE_POOL_MAX_SIZE connections",
    )
    serve.set_defaults(func=cmd_serve)

    db = commands.add_parser("db", parents=common, help="migrations")
    db_actions = db.add_subparsers(dest="action", required=True)
    db_actions.add_parser("apply", parents=common, help="apply every pending migration")
    rollback = db_actions.add_parser(
        "rollback", parents=common, help="roll back the newest migration(s)"
    )
    rollback.add_argument("--steps", type=int, default=1, help="how many (default 1)")
    rollback.add_argument(
        "--all", action="store_true", help="roll back every migration (asks first)"
    )
    rollback.add_argument("--yes", action="store_true", help="do not ask before --all")
    db_actions.add_parser("status", parents=common, help="list migrations, applied or pending")
    db_actions.add_parser(
        "url", parents=common, help="print the database URL in use (e.g. for plain yoyo)"
    )
    db_actions.add_parser(
        "verify",
        parents=common,
        help="check every sql/ file against its query function (types, columns)",
    )
    generate = db_actions.add_parser(
        "generate",
        parents=common,
        help="write service/queries/generated/ from the sql/ files with a header",
    )
    generate.add_argument(
        "--check", action="store_true", help="only say whether the generated code is stale"
    )
    db_actions.add_parser(
        "check",
        parents=common,
        help="compare the live schema and migration files with the migrations",
    )
    new_migration = db_actions.add_parser(
        "new", parents=common, help="create the next numbered migration pair"
    )
    new_migration.add_argument("name", help="lowercase words joined by _, e.g. add_video_notes")
    new_migration.add_argument(
        "--irreversible", metavar="REASON", help="make a rollback that refuses, with this reason"
    )
    diagram = db_actions.add_parser(
        "diagram", parents=common, help="print a Mermaid ER diagram of the schema"
    )
    diagram.add_argument("--readme", type=Path, help="rewrite the diagram block in this file")
    db.set_defaults(func=cmd_db)

    admin = commands.add_parser("admin", parents=common, help="grant or revoke admin rights")
    admin.add_argument("action", choices=["grant", "revoke"])
    admin.add_argument("username")
    admin.set_defaults(func=cmd_admin)

    vectors = commands.add_parser(
        "embeddings", parents=common, help="embedding models for semantic search (admins)"
    )
    vector_actions = vectors.add_subparsers(dest="action", required=True)
    add_model = vector_actions.add_parser(
        "add-model", parents=common, help="register a model and create its HNSW index"
    )
    add_model.add_argument("name", help="the name clients send as `model`, e.g. all-MiniLM-L6-v2")
    add_model.add_argument("--dims", type=int, required=True, help="dimensions of its vectors")
    add_model.add_argument(
        "--distance",
        choices=["cosine", "inner_product", "l2"],  # the CHECK on embedding_models.distance
        default="cosine",
        help="how vectors compare (default cosine)",
    )
    add_model.add_argument(
        "--no-index",
        action="store_true",
        help="no index yet: for a bulk load, which is far faster without one (then build-index)",
    )
    build_index = vector_actions.add_parser(
        "build-index", parents=common, help="build a model's HNSW index (CONCURRENTLY)"
    )
    build_index.add_argument("name")
    build_index.add_argument(
        "--memory", default="1GB", help="maintenance_work_mem for the build (default 1GB)"
    )
    build_index.add_argument("--quiet", action="store_true", help="no progress bar")
    vector_actions.add_parser("list-models", parents=common, help="models and their vector counts")
    drop_model = vector_actions.add_parser(
        "drop-model", parents=common, help="remove a model, its vectors and its index"
    )
    drop_model.add_argument("name")
    drop_model.add_argument("--yes", action="store_true", help="do not ask")
    vectors.set_defaults(func=cmd_embeddings)

    worker = commands.add_parser(
        "worker",
        parents=common,
        help="run queued jobs (chunk_transcript, embed_transcript, purge_sessions)",
    )
    worker.add_argument("--concurrency", type=int, default=4, help="jobs at a time (default 4)")
    worker.add_argument(
        "--poll",
        type=float,
        default=1.0,
        help="seconds between polls when idle (a newly queued job wakes the worker at once)",
    )
    worker.add_argument("--name", help="worker name recorded on claimed jobs (default host:pid)")
    worker.add_argument("--once", action="store_true", help="run what is ready, then exit")
    worker.set_defaults(func=cmd_worker)

    importer = commands.add_parser(
        "import", parents=common, help="load channels, videos and transcripts from a JSONL file"
    )
    importer.add_argument("file", type=Path, help="one JSON object a line (see README)")
    importer.add_argument("--user", required=True, help="username that will own the data")
    importer.add_argument("--rejects", type=Path, help="write rejected lines to this file")
    importer.add_argument("--quiet", action="store_true", help="no progress bar")
    importer.set_defaults(func=cmd_import)

    purge = commands.add_parser("sessions", parents=common, help="login sessions")
    purge.add_argument("action", choices=["purge"], help="delete expired sessions")
    purge.set_defaults(func=cmd_sessions)
    return parser


def _configure_logging(command: str, verbose: int, settings: Settings) -> None:
    if verbose >= 2:
        level = logging.DEBUG
    elif command in SERVICES:
        level = logging.getLevelNamesMapping().get(settings.log_level, logging.INFO)
        level = min(level, logging.INFO) if verbose else level
    else:
        level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # yoyo logs each statement of each migration at INFO: tubebase says in one line
    # which migrations it applied.
    if verbose >= 2 or level <= logging.DEBUG:
        logging.getLogger("yoyo").setLevel(logging.DEBUG)
    else:
        logging.getLogger("yoyo").setLevel(logging.INFO if verbose else logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    _configure_logging(args.command, getattr(args, "verbose", 0), settings)
    try:
        result: int = args.func(args, settings)
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C, e.g. while waiting for PostgreSQL
        return 130
    except Exception as exc:
        message = database_error(exc, settings.database_url)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 1
    return result
