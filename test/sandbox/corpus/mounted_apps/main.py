from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from admin import admin_app

app = FastAPI(title="Main")
app.mount("/admin", admin_app)
app.mount("/static", StaticFiles(directory="static"), name="static")

@app.get("/")
def root():
    return {"app": "main"}
