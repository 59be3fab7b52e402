from fastapi import APIRouter, Depends
from app.deps import get_current_user

router = APIRouter(prefix="/users", tags=["users"])

@router.get("/me")
def me(user: dict = Depends(get_current_user)):
    return {"username": user["username"]}
