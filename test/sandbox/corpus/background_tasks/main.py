from datetime import datetime, timezone
from fastapi import BackgroundTasks, FastAPI, status
from pydantic import BaseModel, EmailStr

app = FastAPI(title="Mailer")
SENT: list[dict] = []

class Email(BaseModel):
    to: EmailStr
    subject: str
    body: str = ""

def send_email(email: Email) -> None:
    SENT.append({"to": email.to, "subject": email.subject, "at": datetime.now(timezone.utc).isoformat()})

@app.post("/emails/", status_code=status.HTTP_202_ACCEPTED)
async def queue_email(email: Email, background_tasks: BackgroundTasks):
    background_tasks.add_task(send_email, email)
    return {"queued": True}

@app.get("/emails/", response_model=list[dict])
async def sent():
    return SENT
