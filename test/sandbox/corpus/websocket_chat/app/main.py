from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse
from app.manager import manager

app = FastAPI(title="Chat")

@app.get("/", response_class=HTMLResponse, include_in_schema=False)
def index():
    return "<h1>Chat</h1>"

@app.get("/rooms")
def rooms():
    return {room: len(conns) for room, conns in manager.rooms.items()}

@app.websocket("/ws/{room}")
async def chat(websocket: WebSocket, room: str):
    await manager.connect(room, websocket)
    try:
        while True:
            text = await websocket.receive_text()
            await manager.broadcast(room, text)
    except WebSocketDisconnect:
        manager.disconnect(room, websocket)
