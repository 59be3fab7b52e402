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
