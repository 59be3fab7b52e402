from contextlib import asynccontextmanager
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel

class Value(BaseModel):
    value: str

@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.cache = {"greeting": "hello"}
    yield
    app.state.cache.clear()

app = FastAPI(lifespan=lifespan)

@app.get("/cache/{key}")
async def read(key: str, request: Request):
    cache = request.app.state.cache
    if key not in cache:
        raise HTTPException(404, "missing")
    return {"key": key, "value": cache[key]}

@app.put("/cache/{key}")
async def write(key: str, body: Value, request: Request):
    request.app.state.cache[key] = body.value
    return {"key": key, "value": body.value}
