from fastapi import FastAPI
from crud import make_crud_router

app = FastAPI(title="Animals")
for name in ("cats", "dogs", "birds"):
    app.include_router(make_crud_router(name), prefix=f"/{name}", tags=[name])
