import redis
from fastapi import FastAPI
from pydantic import BaseModel
from database import Base, Note, SessionLocal, engine

Base.metadata.create_all(bind=engine)
cache = redis.Redis(host="localhost", port=6379)  # lazy: never connected unless used
app = FastAPI()

class NoteIn(BaseModel):
    text: str

@app.post("/notes", status_code=201)
def add(note: NoteIn):
    with SessionLocal() as db:
        row = Note(text=note.text)
        db.add(row)
        db.commit()
        return {"id": row.id, "text": row.text}

@app.get("/notes")
def notes():
    with SessionLocal() as db:
        return [{"id": n.id, "text": n.text} for n in db.query(Note).all()]
