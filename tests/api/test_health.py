from litestar.testing import AsyncTestClient


async def test_live(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_checks_the_database(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_openapi_lists_the_routes(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/auth/register",
        "/auth/login",
        "/auth/logout",
        "/users/me",
        "/conversations",
        "/conversations/{conversation_id}/messages",
        "/templates",
        "/templates/resolve",
        "/config/{key}",
        "/health/live",
        "/health/ready",
    ]:
        assert path in paths, path
