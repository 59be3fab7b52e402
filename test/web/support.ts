import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A small FastAPI project with a router, tags, a path parameter, a query parameter and a body model. */
export const shopApp: Record<string, string> = {
  "main.py": [
    "from fastapi import FastAPI",
    "from routers import items",
    "",
    "app = FastAPI(title='Shop')",
    "app.include_router(items.router)",
    "",
    "@app.get('/health', tags=['meta'])",
    "def health():",
    "    return {'ok': True}",
    "",
  ].join("\n"),
  "routers/__init__.py": "",
  "routers/items.py": [
    "from fastapi import APIRouter",
    "from pydantic import BaseModel",
    "",
    "router = APIRouter(prefix='/items', tags=['items'])",
    "",
    "class Item(BaseModel):",
    "    name: str",
    "    price: float",
    "",
    "@router.get('/{item_id}')",
    "def read_item(item_id: int, q: str = ''):",
    "    print(f'\\x1b[32mread item {item_id}\\x1b[0m', flush=True)",
    "    return {'item_id': item_id, 'q': q}",
    "",
    "@router.post('/', status_code=201)",
    "def create_item(item: Item):",
    "    return {'created': item.dict()}",
    "",
  ].join("\n"),
};

/** Writes a project folder as a user has it: with a virtualenv, bytecode and a binary file the page must leave out. */
export const projectFolder = (files: Record<string, string>): string => {
  const root = mkdtempSync(join(tmpdir(), "web-project-"));
  const dir = join(root, "shop");
  const all: Record<string, string | Uint8Array> = {
    ...files,
    ".venv/lib/site.py": "junk = 1\n",
    "__pycache__/main.cpython-311.pyc": new Uint8Array([0x6f, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0]),
    "static/logo.png": new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
  };
  for (const [path, content] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
};

export const screenshotDir = "test-results/web";
