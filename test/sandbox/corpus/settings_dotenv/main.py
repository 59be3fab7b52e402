from typing import Annotated
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from config import Settings, get_settings

settings = get_settings()
app = FastAPI(title="Settings demo")
app.add_middleware(CORSMiddleware, allow_origins=settings.allowed_origins, allow_methods=["*"], allow_headers=["*"])

@app.get("/info")
def info(s: Annotated[Settings, Depends(get_settings)]):
    return {"environment": s.environment, "origins": s.allowed_origins, "has_secret": bool(s.secret_key)}

@app.get("/health")
def health():
    return {"ok": True}
