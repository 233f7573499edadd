"""Every route's dependencies resolve one after another: Litestar resolves a batch of
dependencies that do not need each other in an anyio task group, and closes two
generator dependencies in another, each costing more than the request's query
(service/api/deps.py says how the chain is kept)."""

from inspect import isasyncgenfunction

from litestar.routes import HTTPRoute

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


async def test_only_db_has_a_cleanup_step(client: Client) -> None:
    generators = {
        key
        for _, _, handler in _handlers(client)
        for key, provider in handler.resolve_dependencies().items()
        if isasyncgenfunction(provider.dependency)
    }
    assert generators == {"db"}
