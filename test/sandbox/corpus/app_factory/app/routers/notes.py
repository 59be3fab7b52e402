from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

router = APIRouter()
_notes: dict[int, dict] = {}


class NoteIn(BaseModel):
    text: str


@router.get("/")
def list_notes():
    return list(_notes.values())


@router.post("/", status_code=201)
def create_note(note: NoteIn):
    note_id = len(_notes) + 1
    _notes[note_id] = {"id": note_id, "text": note.text}
    return _notes[note_id]


@router.get("/{note_id}")
def get_note(note_id: int):
    if note_id not in _notes:
        raise HTTPException(404, "note not found")
    return _notes[note_id]
