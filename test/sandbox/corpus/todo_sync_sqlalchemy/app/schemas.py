from pydantic import BaseModel, ConfigDict

class TodoCreate(BaseModel):
    title: str

class TodoOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    done: bool
