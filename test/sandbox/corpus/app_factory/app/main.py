from fastapi import FastAPI

from .config import Settings
from .routers import notes


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title=settings.title)
    app.include_router(notes.router, prefix=f"{settings.api_prefix}/notes", tags=["notes"])

    @app.get("/health")
    def health():
        return {"status": "ok"}

    return app
