from app.models.post import Post
