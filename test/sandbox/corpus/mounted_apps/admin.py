from fastapi import FastAPI

admin_app = FastAPI(title="Admin", docs_url=None, redoc_url=None)

@admin_app.get("/stats")
def stats():
    return {"users": 0}

@admin_app.post("/reset")
def reset():
    return {"reset": True}
