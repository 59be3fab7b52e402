from fastapi import Header, HTTPException, Security
from fastapi.security import APIKeyHeader

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)

async def verify_api_key(api_key: str | None = Security(api_key_header)) -> str:
    if api_key != "dev-key":
        raise HTTPException(status_code=403, detail="Invalid API key")
    return api_key

class Paginator:
    def __init__(self, page: int = 1, size: int = 10):
        self.page = page
        self.size = size
