// Reading a preview's OpenAPI document and turning it into endpoints, against real servers and documents.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect, Exit } from "effect";
import { afterAll, describe, expect, it } from "vitest";
import { readLiveOpenApi } from "../../services/orchestrator/live-openapi.ts";
import { endpointsOfOpenApi, mergeLive } from "../../services/orchestrator/openapi-endpoints.ts";

const dir = mkdtempSync(join(tmpdir(), "openapi-read-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const answers: Record<string, (res: ServerResponse) => void> = {
  ok: (res) => void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ paths: { "/x": { get: { operationId: "x_x_get" } } } })),
  missing: (res) => void res.writeHead(404).end("{}"),
  garbage: (res) => void res.writeHead(200).end("<html>"),
  hang: () => undefined,
};

/** Reads from a real HTTP server on a Unix socket (the sandbox's kind of upstream) that answers as told. */
const readWith = async (answer: string, timeoutMs = 5000) => {
  const path = join(dir, `${answer}.sock`);
  const server = createServer((req, res) => answers[answer]?.(res));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  try {
    return await Effect.runPromiseExit(readLiveOpenApi({ kind: "unix", path }, timeoutMs));
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
};

const failureReason = (exit: Exit.Exit<unknown, { readonly reason: string }>) =>
  Exit.isFailure(exit) ? JSON.stringify(exit.cause) : "succeeded";

describe("readLiveOpenApi", () => {
  it("reads /openapi.json over a Unix socket (the sandbox's upstream)", async () => {
    const exit = await readWith("ok");
    expect(exit).toEqual(Exit.succeed({ paths: { "/x": { get: { operationId: "x_x_get" } } } }));
  });

  it("fails, with a reason, on a non-200 answer, a body that is not JSON, no answer in time, or nobody listening", async () => {
    expect(failureReason(await readWith("missing"))).toMatch(/answered 404/);
    expect(failureReason(await readWith("garbage"))).toMatch(/not JSON/);
    expect(failureReason(await readWith("hang", 100))).toMatch(/no answer within 100 ms/);
    const nobody = await Effect.runPromiseExit(readLiveOpenApi({ kind: "unix", path: join(dir, "absent.sock") }, 1000));
    expect(failureReason(nobody)).toMatch(/ENOENT/);
  });
});

/** FastAPI's own document for a small app (Debian's python3-fastapi), not one written by hand. */
const fastapiDocument = (): unknown => JSON.parse(execFileSync("/usr/bin/python3", ["-c", [
  "import json",
  "from typing import List, Optional",
  "from fastapi import FastAPI, Form",
  "from pydantic import BaseModel",
  "app = FastAPI()",
  "class Item(BaseModel):",
  "    name: str",
  "@app.post('/login')",
  "def login(username: str = Form(...), password: str = Form(...)):",
  "    return {}",
  "@app.get('/items', response_model=Item, deprecated=True, operation_id='list_them')",
  "def items(limit: Optional[int] = None):",
  "    return {}",
  "print(json.dumps(app.openapi()))",
].join("\n")], { encoding: "utf8", env: { PATH: "/usr/bin:/bin", PYTHONDONTWRITEBYTECODE: "1" } })) as unknown;

describe("endpointsOfOpenApi", () => {
  it("turns FastAPI's document into endpoints: form bodies, response models, flags and custom operation ids", async () => {
    const endpoints = await Effect.runPromise(endpointsOfOpenApi(fastapiDocument()));
    expect(endpoints).toEqual([
      {
        method: "POST", path: "/login", name: "login", summary: "Login", tags: [], pathParams: [], queryParams: [],
        requestBody: { model: "Body_login_login_post", fields: [{ name: "username", type: "string" }, { name: "password", type: "string" }] },
        statusCode: 200,
      },
      {
        method: "GET", path: "/items", name: "list_them", summary: "Items", tags: [], pathParams: [],
        queryParams: [{ name: "limit", type: "integer" }], responseModel: "Item", statusCode: 200, deprecated: true,
      },
    ]);
  });

  it("names OpenAPI 3.1 types (pydantic 2 writes unions as anyOf) and inline bodies", async () => {
    const [endpoint] = await Effect.runPromise(endpointsOfOpenApi({
      openapi: "3.1.0",
      paths: {
        "/things/{id}": {
          parameters: [],
          put: {
            operationId: "put_thing_things__id__put",
            parameters: [
              { name: "id", in: "path", schema: { type: "integer" } },
              { name: "q", in: "query", schema: { anyOf: [{ type: "string" }, { type: "null" }] } },
              { name: "kind", in: "query", schema: { allOf: [{ $ref: "#/components/schemas/Kind" }] } },
              { name: "n", in: "query", schema: { type: ["integer", "null"] } },
              { name: "free", in: "query", schema: {} },
              { name: "trace", in: "header", schema: { type: "string" } },
            ],
            requestBody: { content: { "application/json": { schema: { title: "Payload", type: "object", additionalProperties: { type: "string" } } } } },
            responses: { default: { description: "anything" } },
          },
        },
      },
    }));
    expect(endpoint).toEqual({
      method: "PUT", path: "/things/{id}", name: "put_thing", tags: [],
      pathParams: [{ name: "id", type: "integer" }],
      queryParams: [{ name: "q", type: "string | null" }, { name: "kind", type: "Kind" }, { name: "n", type: "integer | null" }, { name: "free" }],
      requestBody: { model: "Payload" },
    });
  });

  it("refuses a document without paths, or with an operation of the wrong shape", async () => {
    for (const doc of [{}, { paths: { "/a": { get: { tags: "not-a-list" } } } }, "<html>"]) {
      const exit = await Effect.runPromiseExit(endpointsOfOpenApi(doc));
      expect(failureReason(exit)).toMatch(/expected shape/);
    }
  });
});

describe("mergeLive", () => {
  it("keeps the first of two source routes with one (method, path), as FastAPI serves the first", () => {
    const site = (line: number) => ({ file: "main.py", line });
    const base = { tags: [], pathParams: [], queryParams: [] };
    const merged = mergeLive(
      [{ method: "GET", path: "/a", name: "", ...base }],
      [{ method: "GET", path: "/a", name: "first", ...base, source: site(3) }, { method: "GET", path: "/a", name: "second", ...base, source: site(9) }],
    );
    expect(merged).toEqual([{ method: "GET", path: "/a", name: "first", ...base, source: site(3) }]);
  });
});
