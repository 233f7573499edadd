"""Every route's dependencies resolve one after another: Litestar resolves a batch of
dependencies that do not need each other in an anyio task group, and closes two
generator dependencies in another, each costing more than the request's query
(service/api/deps.py says how the chain is kept)."""

from inspect import isasyncgenfunction

import asyncpg
from litestar.routes import HTTPRoute

from service.api.deps import RequestConnection
from service.db import create_pool
from tests.api.helpers import Client


def _handlers(client: Client) -> list[tuple[str, HTTPRoute, object]]:
    return [
        (f"{sorted(handler.http_methods)} {route.path}", route, handler)
        for route in client.app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
    ]


async def test_no_route_resolves_two_dependencies_side_by_side(client: Client) -> None:
    side_by_side = {}
    for name, route, handler in _handlers(client):
        model = handler.create_kwargs_model(path_parameters=route.path_parameters)
        batches = [sorted(dep.key for dep in batch) for batch in model.dependency_batches]
        if any(len(batch) > 1 for batch in batches):
            side_by_side[name] = batches
    assert side_by_side == {}
    # the check can fail: the list of messages names read_db, user and page
    assert any(
        "/conversations/{conversation_id:uuid}/messages" in name for name, _, _ in _handlers(client)
    )


async def test_a_route_whose_statement_checks_the_token_never_asks_for_the_user(
    client: Client,
) -> None:
    """Its caller is not looked up (`user` would be None): it names `session_token`."""
    named = {
        name: {
            dependency.key
            for batch in handler.create_kwargs_model(
                path_parameters=route.path_parameters
            ).dependency_batches
            for dependency in batch
        }
        for name, route, handler in _handlers(client)
        if handler.opt.get("token_in_statement")
    }
    assert len(named) == 2  # adding and listing messages
    assert all("session_token" in keys and "user" not in keys for keys in named.values()), named


async def test_only_db_has_a_cleanup_step(client: Client) -> None:
    generators = {
        key
        for _, _, handler in _handlers(client)
        for key, provider in handler.resolve_dependencies().items()
        if isasyncgenfunction(provider.dependency)
    }
    assert generators == {"db"}


async def test_a_connection_whose_request_broke_it_is_closed_not_pooled(
    app_database_url: str,
) -> None:
    """After a broken connection's error (the server went away mid-request) the
    connection is closed, so the next request gets a new one; after an ordinary error
    the connection goes back to the pool."""
    pool = await create_pool(app_database_url, min_size=1, max_size=1)

    async def backend_after(error: BaseException | None) -> tuple[int, int]:
        held = RequestConnection(pool, timeout=5)
        before = (await held.get()).get_server_pid()
        await held.release(error)
        held = RequestConnection(pool, timeout=5)
        after = (await held.get()).get_server_pid()
        await held.release()
        return before, after

    try:
        before, after = await backend_after(asyncpg.InterfaceError("connection was closed"))
        assert before != after
        before, after = await backend_after(ValueError("a 400, say"))
        assert before == after
        before, after = await backend_after(None)
        assert before == after
    finally:
        await pool.close()
