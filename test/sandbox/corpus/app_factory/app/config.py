from pydantic import BaseModel


class Settings(BaseModel):
    title: str = "Notes"
    api_prefix: str = "/api/v1"
