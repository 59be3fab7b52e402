from fastapi import WebSocket

class ConnectionManager:
    def __init__(self) -> None:
        self.rooms: dict[str, list[WebSocket]] = {}

    async def connect(self, room: str, ws: WebSocket) -> None:
        await ws.accept()
        self.rooms.setdefault(room, []).append(ws)

    def disconnect(self, room: str, ws: WebSocket) -> None:
        self.rooms.get(room, []).remove(ws)

    async def broadcast(self, room: str, message: str) -> None:
        for ws in self.rooms.get(room, []):
            await ws.send_text(message)

manager = ConnectionManager()
