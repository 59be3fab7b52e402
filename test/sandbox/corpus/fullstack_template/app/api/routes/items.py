import uuid
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

router = APIRouter(prefix="/items", tags=["items"])
ITEMS: dict[uuid.UUID, dict] = {}

class ItemCreate(BaseModel):
    title: str
    description: str | None = None

class ItemPublic(ItemCreate):
    id: uuid.UUID

class ItemsPublic(BaseModel):
    data: list[ItemPublic]
    count: int

@router.get("/", response_model=ItemsPublic)
def read_items(skip: int = 0, limit: int = 100):
    data = list(ITEMS.values())[skip: skip + limit]
    return ItemsPublic(data=data, count=len(ITEMS))

@router.post("/", response_model=ItemPublic)
def create_item(item_in: ItemCreate):
    item = {"id": uuid.uuid4(), **item_in.model_dump()}
    ITEMS[item["id"]] = item
    return item

@router.get("/{id}", response_model=ItemPublic)
def read_item(id: uuid.UUID):
    if id not in ITEMS:
        raise HTTPException(status_code=404, detail="Item not found")
    return ITEMS[id]
