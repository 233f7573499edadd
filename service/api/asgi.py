"""The app of each process of `tubebase serve --workers N`: uvicorn's workers import
`create` and call it. The parent has started or checked the database and applied the
migrations, and passes the server on in DATABASE_URL."""

from litestar import Litestar

from service.api.app import create_app, tune_gc
from service.settings import load_settings


def create() -> Litestar:
    settings = load_settings()
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL is unset: start the processes with `tubebase serve`")
    app = create_app(settings, settings.database_url)
    tune_gc()
    return app
