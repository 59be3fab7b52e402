import time
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

class TimedRoute(APIRoute):
    def get_route_handler(self):
        original = super().get_route_handler()
        async def handler(request: Request):
            started = time.perf_counter()
            response = await original(request)
            response.headers["X-Response-Time"] = f"{time.perf_counter() - started:.4f}"
            return response
        return handler

class TeapotError(Exception):
    pass

app = FastAPI()
app.router.route_class = TimedRoute

@app.exception_handler(TeapotError)
async def teapot_handler(request: Request, exc: TeapotError):
    return JSONResponse(status_code=418, content={"detail": "I'm a teapot"})

@app.middleware("http")
async def add_header(request: Request, call_next):
    response = await call_next(request)
    response.headers["X-Generated"] = "yes"
    return response

@app.get("/ok")
async def ok():
    return {"ok": True}

@app.get("/brew")
async def brew():
    raise TeapotError()
