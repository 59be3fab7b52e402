/** Small FastAPI projects the tests upload. Each runs on Debian's python3-fastapi (0.92, pydantic 1). */

export const helloApp = {
  "main.py": [
    "from fastapi import FastAPI",
    "app = FastAPI()",
    "",
    "@app.get('/hello')",
    "def hello():",
    "    print('hello was called', flush=True)",
    "    return {'message': 'hi'}",
    "",
  ].join("\n"),
};

export const envDumpApp = {
  "app/__init__.py": "",
  "app/main.py": [
    "import os",
    "from fastapi import FastAPI",
    "application = FastAPI()",
    "",
    "@application.get('/env')",
    "def env():",
    "    return dict(os.environ)",
    "",
  ].join("\n"),
};

export const importErrorApp = {
  "main.py": [
    "from fastapi import FastAPI",
    "import helpers",
    "app = FastAPI()",
    "",
  ].join("\n"),
  "helpers.py": [
    "def broken():",
    "    return 1",
    "",
    "raise RuntimeError('the generated helpers module is broken')",
    "",
  ].join("\n"),
};

export const slowStartupApp = {
  "main.py": [
    "import time",
    "from fastapi import FastAPI",
    "app = FastAPI()",
    "",
    "@app.on_event('startup')",
    "def wait_forever():",
    "    time.sleep(600)",
    "",
  ].join("\n"),
};

export const asyncEngineApp = {
  "main.py": [
    "import os",
    "from fastapi import FastAPI",
    "# The project builds its engine with create_async_engine(os.environ['DATABASE_URL']).",
    "app = FastAPI()",
    "",
    "@app.get('/db-url')",
    "def db_url():",
    "    return {'url': os.environ['DATABASE_URL']}",
    "",
  ].join("\n"),
};

export const noEntryProject = {
  "README.md": "# nothing to run\n",
  "lib/util.py": "def f():\n    return 1\n",
};

/** Everything a proxy must carry: headers, streams, SSE, big uploads, slow answers, WebSockets, bytes, cookies. */
export const proxyProbeApp = {
  "main.py": [
    "import asyncio",
    "from fastapi import FastAPI, Request, Response, WebSocket",
    "from fastapi.responses import StreamingResponse",
    "app = FastAPI()",
    "",
    "@app.get('/echo/headers')",
    "async def echo_headers(request: Request):",
    "    return {'headers': [[k, v] for k, v in request.headers.items()], 'path': request.url.path, 'query': str(request.url.query)}",
    "",
    "@app.get('/items/{item_id}')",
    "async def read_item(item_id: int, q: str = ''):",
    "    return {'item_id': item_id, 'q': q}",
    "",
    "@app.post('/items')",
    "async def create_item(item: dict):",
    "    return {'created': item}",
    "",
    "@app.get('/missing')",
    "async def missing():",
    "    return Response(status_code=404, content='{\"detail\": \"nope\"}', media_type='application/json')",
    "",
    "@app.get('/text')",
    "async def text():",
    "    return Response(content='plain words', media_type='text/plain')",
    "",
    "@app.get('/bytes')",
    "async def raw_bytes():",
    "    return Response(content=bytes(range(256)), media_type='application/octet-stream')",
    "",
    "@app.get('/cookie')",
    "async def cookie(response: Response):",
    "    response.set_cookie('app_session', 'abc', path='/')",
    "    return {'ok': True}",
    "",
    // Streams are paced by the client: part i+1 leaves only once the client, having read part i,
    // posts /release/{key}/{i} (or after 30 s), so a part read alone proves nothing buffered it,
    // however loaded the machine.
    "releases = {}",
    "",
    "async def held(key, i):",
    "    try:",
    "        await asyncio.wait_for(releases.setdefault(f'{key}:{i}', asyncio.Event()).wait(), 30)",
    "    except asyncio.TimeoutError:",
    "        pass",
    "",
    "@app.post('/release/{key}/{i}')",
    "async def release(key: str, i: int):",
    "    releases.setdefault(f'{key}:{i}', asyncio.Event()).set()",
    "    return {'released': i}",
    "",
    "@app.get('/stream')",
    "async def stream(key: str):",
    "    async def chunks():",
    "        for i in range(3):",
    "            yield f'chunk-{i};'",
    "            if i < 2:",
    "                await held(key, i)",
    "    return StreamingResponse(chunks(), media_type='text/plain')",
    "",
    "@app.get('/events')",
    "async def events(key: str):",
    "    async def sse():",
    "        for i in range(3):",
    "            yield f'id: {i}\\ndata: event-{i}\\n\\n'",
    "            if i < 2:",
    "                await held(key, i)",
    "    return StreamingResponse(sse(), media_type='text/event-stream')",
    "",
    "@app.post('/upload')",
    "async def upload(request: Request):",
    "    size = 0",
    "    async for chunk in request.stream():",
    "        size += len(chunk)",
    "    return {'bytes': size}",
    "",
    "@app.post('/upload/first-chunk')",
    "async def first_chunk(request: Request):",
    "    async for chunk in request.stream():",
    "        return {'first': len(chunk)}",
    "    return {'first': 0}",
    "",
    "@app.get('/sleep')",
    "async def sleep(seconds: float = 5):",
    "    await asyncio.sleep(seconds)",
    "    return {'slept': seconds}",
    "",
    "@app.websocket('/ws')",
    "async def ws(websocket: WebSocket):",
    "    await websocket.accept()",
    "    while True:",
    "        message = await websocket.receive_text()",
    "        await websocket.send_text('echo: ' + message)",
    "",
  ].join("\n"),
};

/** Prints `tick-N` every `everyMs` from a thread started with the app, whoever listens: a gap in N is a lost line. */
export const tickerApp = (everyMs: number) => ({
  "main.py": [
    "import threading, time",
    "from fastapi import FastAPI",
    "app = FastAPI()",
    "",
    "def tick():",
    "    n = 0",
    "    while True:",
    "        print(f'tick-{n}', flush=True)",
    "        n += 1",
    `        time.sleep(${everyMs / 1000})`,
    "",
    "threading.Thread(target=tick, daemon=True).start()",
    "",
    "@app.get('/hello')",
    "def hello():",
    "    return {'message': 'hi'}",
    "",
  ].join("\n"),
});

/** The tick numbers a client of tickerApp's log has seen, in order. */
export const ticksIn = (lines: ReadonlyArray<{ readonly message: string }>): number[] =>
  lines.flatMap((l) => (/^tick-(\d+)$/.exec(l.message) ? [Number(l.message.slice(5))] : []));
