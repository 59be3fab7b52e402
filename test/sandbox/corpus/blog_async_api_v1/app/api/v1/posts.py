from typing import Annotated
from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from app.db.session import get_session
from app.models import Post
from app.schemas.post import PostCreate, PostRead

router = APIRouter()
SessionDep = Annotated[AsyncSession, Depends(get_session)]

@router.get("/", response_model=list[PostRead])
async def list_posts(session: SessionDep, limit: int = 20):
    result = await session.execute(select(Post).order_by(Post.id).limit(limit))
    return result.scalars().all()

@router.post("/", response_model=PostRead, status_code=201)
async def create_post(data: PostCreate, session: SessionDep):
    post = Post(**data.model_dump())
    session.add(post)
    await session.commit()
    await session.refresh(post)
    return post

@router.get("/{post_id}", response_model=PostRead)
async def read_post(post_id: int, session: SessionDep):
    post = await session.get(Post, post_id)
    if post is None:
        raise HTTPException(404, "Post not found")
    return post
