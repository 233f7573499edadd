"""The network the tests arrange: a free port to serve on, and a proxy in front of
PostgreSQL that can go silent the way a dropped NAT entry does (the sockets stay
open, nothing more arrives)."""

import asyncio
import socket
from types import TracebackType
from urllib.parse import unquote, urlsplit, urlunsplit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class SilentProxy:
    """Relays TCP on 127.0.0.1 to the server of `url` (TCP or its Unix socket).
    `silence()` makes every connection open at that moment swallow what either side
    sends, without closing; later connections relay normally. `url` is the proxied
    URL, `connections` counts the connections accepted so far."""

    def __init__(self, url: str) -> None:
        self._target = urlsplit(url)
        self._server: asyncio.Server | None = None
        self._open: list[list[bool]] = []  # one flag per connection: silenced
        self._tasks: set[asyncio.Task[None]] = set()
        self.connections = 0
        self.url = ""

    async def __aenter__(self) -> "SilentProxy":
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        t = self._target
        credentials = t.netloc.rsplit("@", 1)[0] + "@" if "@" in t.netloc else ""
        self.url = urlunsplit((t.scheme, f"{credentials}127.0.0.1:{port}", t.path, "", ""))
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def silence(self) -> None:
        for silenced in self._open:
            silenced[0] = True

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        query = dict(p.split("=", 1) for p in self._target.query.split("&") if "=" in p)
        host = unquote(query.get("host") or self._target.hostname or "localhost")
        port = self._target.port or int(query.get("port", 5432))
        if host.startswith("/"):
            return await asyncio.open_unix_connection(f"{host}/.s.PGSQL.{port}")
        return await asyncio.open_connection(host, port)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        silenced = [False]
        self._open.append(silenced)
        upstream_reader, upstream_writer = await self._connect()

        async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    if not silenced[0]:
                        sink.write(data)
                        await sink.drain()
            except (ConnectionError, OSError):
                return  # either side hung up: so does the relay (below)
            finally:
                sink.close()

        for task in (
            asyncio.create_task(pump(reader, upstream_writer)),
            asyncio.create_task(pump(upstream_reader, writer)),
        ):
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
