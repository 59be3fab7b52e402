import os
import uuid
from fastapi import FastAPI, File, HTTPException, UploadFile
from fastapi.responses import FileResponse

UPLOAD_DIR = "uploads"
os.makedirs(UPLOAD_DIR, exist_ok=True)
app = FastAPI(title="Uploads")
FILES: dict[str, dict] = {}

@app.post("/files/upload", status_code=201)
async def upload(file: UploadFile = File(...)):
    file_id = uuid.uuid4().hex
    content = await file.read()
    with open(os.path.join(UPLOAD_DIR, file_id), "wb") as f:
        f.write(content)
    FILES[file_id] = {"id": file_id, "filename": file.filename, "size": len(content)}
    return FILES[file_id]

@app.post("/files/batch")
async def upload_many(files: list[UploadFile] = File(...)):
    return [{"filename": f.filename} for f in files]

@app.get("/files/")
def list_files():
    return list(FILES.values())

@app.get("/files/{file_id}/download")
def download(file_id: str):
    if file_id not in FILES:
        raise HTTPException(404, "File not found")
    return FileResponse(os.path.join(UPLOAD_DIR, file_id), filename=FILES[file_id]["filename"])

@app.get("/health")
def health():
    return {"status": "ok"}
