from fastapi import APIRouter, Depends, FastAPI
from app.security import Paginator, verify_api_key

public = APIRouter(prefix="/public", tags=["public"])
private = APIRouter(prefix="/private", tags=["private"], dependencies=[Depends(verify_api_key)])

@public.get("/ping")
def ping():
    return {"pong": True}

@private.get("/data")
def data(p: Paginator = Depends()):
    return {"page": p.page, "size": p.size, "items": []}

@private.delete("/data/{item_id}", status_code=204, deprecated=True)
def delete(item_id: int):
    return None

app = FastAPI()
app.include_router(public)
app.include_router(private)
