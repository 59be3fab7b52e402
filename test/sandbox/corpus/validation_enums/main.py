from enum import Enum
from typing import Annotated
from fastapi import FastAPI, Path, Query
from pydantic import BaseModel, Field

class ModelName(str, Enum):
    alexnet = "alexnet"
    resnet = "resnet"
    lenet = "lenet"

class Filter(BaseModel):
    limit: int = Field(100, gt=0, le=100)
    tags: list[str] = []

app = FastAPI()

@app.get("/models/{model_name}")
async def get_model(model_name: ModelName):
    return {"model_name": model_name, "deep": model_name is ModelName.resnet}

@app.get("/search")
async def search(q: Annotated[str, Query(min_length=2, max_length=50)], page: Annotated[int, Query(ge=1)] = 1):
    return {"q": q, "page": page}

@app.get("/items/{item_id}")
async def item(item_id: Annotated[int, Path(title="The ID", ge=1)], f: Annotated[Filter, Query()] = None):
    return {"item_id": item_id}

@app.api_route("/legacy", methods=["GET", "POST"])
async def legacy():
    return {"legacy": True}
