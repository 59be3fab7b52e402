from typing import Any
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

class Animal(BaseModel):
    name: str
    age: int = 0

def make_crud_router(kind: str) -> APIRouter:
    router = APIRouter()
    items: dict[int, dict[str, Any]] = {}

    @router.get("/", name=f"list_{kind}")
    def list_items():
        return list(items.values())

    @router.post("/", status_code=201, name=f"create_{kind}")
    def create(animal: Animal):
        new_id = len(items) + 1
        items[new_id] = {"id": new_id, **animal.model_dump()}
        return items[new_id]

    @router.get("/{item_id}", name=f"get_{kind}")
    def get(item_id: int):
        if item_id not in items:
            raise HTTPException(404, f"{kind} {item_id} not found")
        return items[item_id]

    return router
