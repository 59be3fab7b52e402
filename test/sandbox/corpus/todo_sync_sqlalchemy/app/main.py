from fastapi import FastAPI
from app.database import Base, engine
from app.routers import todos

Base.metadata.create_all(bind=engine)

app = FastAPI(title="Todo API")
app.include_router(todos.router)

@app.get("/")
def root():
    return {"message": "Todo API"}
