from datetime import datetime
from pydantic import BaseModel, ConfigDict, Field

class PostCreate(BaseModel):
    title: str = Field(min_length=1, max_length=255)
    body: str

class PostRead(PostCreate):
    model_config = ConfigDict(from_attributes=True)
    id: int
    created_at: datetime
