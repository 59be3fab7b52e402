from fastapi import APIRouter, Depends, HTTPException
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from app.core.security import create_access_token, hash_password, verify_password
from app.store import USERS

router = APIRouter(prefix="/auth", tags=["auth"])

class Register(BaseModel):
    username: str
    password: str

class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"

@router.post("/register", status_code=201)
def register(body: Register):
    if body.username in USERS:
        raise HTTPException(400, "Username taken")
    USERS[body.username] = {"username": body.username, "hashed_password": hash_password(body.password)}
    return {"username": body.username}

@router.post("/token", response_model=Token)
def login(form: OAuth2PasswordRequestForm = Depends()):
    user = USERS.get(form.username)
    if user is None or not verify_password(form.password, user["hashed_password"]):
        raise HTTPException(401, "Incorrect username or password")
    return Token(access_token=create_access_token(form.username))
