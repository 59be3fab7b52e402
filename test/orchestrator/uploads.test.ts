import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";

let o: TestOrchestrator;
let token: string;
beforeAll(async () => {
  o = await startTestOrchestrator({ MAX_FILES: "5", MAX_FILE_BYTES: "1000", MAX_TOTAL_BYTES: "3000" });
  token = await o.token("alice");
});
afterAll(() => o.dispose());

const ok = "x = 1\n";
const kib = (n: number) => "#".repeat(n * 1000);

type Case = readonly [name: string, body: string | Uint8Array, expected: { readonly message: RegExp; readonly details?: Record<string, unknown> }];

const json = (value: unknown) => JSON.stringify(value);
const cases: ReadonlyArray<Case> = [
  ["path traversal", json({ files: { "app/../../etc/passwd": ok } }), { message: /must not contain '\.\.'/, details: { path: "app/../../etc/passwd" } }],
  ["absolute path", json({ files: { "/etc/passwd": ok } }), { message: /must be relative/, details: { path: "/etc/passwd" } }],
  ["windows drive path", json({ files: { "C:/x.py": ok } }), { message: /must be relative/ }],
  ["NUL in a path", json({ files: { "main\u0000.py": ok } }), { message: /NUL or control character/ }],
  ["control character", json({ files: { "ma\u001bin.py": ok } }), { message: /NUL or control character/ }],
  ["backslash", json({ files: { "app\\main.py": ok } }), { message: /backslashes/ }],
  ["empty path", json({ files: { "": ok } }), { message: /path is empty/ }],
  ["only dots", json({ files: { "./.": ok } }), { message: /names no file/ }],
  ["duplicate after normalisation", json({ files: { "app/main.py": ok, "./app//main.py": ok } }), { message: /same file as "app\/main.py"/, details: { path: "./app//main.py" } }],
  ["a file used as a directory", json({ files: { app: ok, "app/main.py": ok } }), { message: /uses it as a directory/, details: { path: "app" } }],
  ["a file over the size limit", json({ files: { "big.py": kib(2) } }), { message: /"big.py" is 2000 bytes, over the 1000 byte limit/, details: { path: "big.py" } }],
  ["too many files", json({ files: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}.py`, ok])) }), { message: /Too many files: 6, the limit is 5/ }],
  ["total over the limit", json({ files: { "a.py": kib(0.9), "b.py": kib(0.9), "c.py": kib(0.9), "d.py": kib(0.9) } }), { message: /more than the 3000 byte limit/ }],
  ["no files", json({ files: {} }), { message: /At least one file/ }],
  ["non-UTF-8 body", new Uint8Array([0x7b, 0x22, 0x66, 0xff, 0xfe, 0x22, 0x7d]), { message: /not valid UTF-8/ }],
  ["invalid JSON", "{\"files\": {", { message: /not valid JSON/ }],
  ["files of the wrong type", json({ files: ["main.py"] }), { message: /at "files"/ }],
  ["a file's content of the wrong type", json({ files: { "main.py": 42 } }), { message: /at "files.main.py": Expected string/ }],
  ["missing files", json({ projectId: "p" }), { message: /at "files": Missing key/ }],
  ["unknown field", json({ files: { "main.py": ok }, extra: true }), { message: /at "extra": .*excess property/ }],
  ["empty projectId", json({ projectId: "", files: { "main.py": ok } }), { message: /at "projectId"/ }],
];

const storedCount = () => o.query<{ n: number }>("select count(*) as n from generations")[0]?.n;
const storedDirs = () => readdirSync(join(o.dataDir, "generations"));

describe("uploads that must be refused", () => {
  it.each(cases)("%s → 400 naming the problem, nothing stored", async (_name, body, expected) => {
    const res = await callApi(o.url, "POST", "/api/generations", { token, rawBody: body, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    const { error } = res.body as unknown as ErrorEnvelope;
    expect(error.code).toBe("invalid_request");
    expect(error.message).toMatch(expected.message);
    if (expected.details !== undefined) expect(error.details).toMatchObject(expected.details);
    expect(typeof error.requestId).toBe("string");
    expect(storedCount()).toBe(0);
    expect(storedDirs()).toEqual([]);
  });

  it("a body far over the upload size is cut off with 413, not read whole", async () => {
    const res = await callApi(o.url, "POST", "/api/generations", { token, rawBody: json({ files: { "a.py": "#".repeat(200_000) } }) });
    expect(res.status).toBe(413);
    expect((res.body as unknown as ErrorEnvelope).error.code).toBe("payload_too_large");
    expect(storedCount()).toBe(0);
  });

  it("a good upload is stored whole and normalised, and reads back for its owner", async () => {
    const res = await callApi(o.url, "POST", "/api/generations", {
      token, json: { projectId: "shop", files: { "./app//main.py": "from fastapi import FastAPI\napi = FastAPI()\n", "app/__init__.py": "" } },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ projectId: "shop", fileCount: 2, bytes: 44, entry: "app/main.py:api" });
    const id = res.body.generationId as string;
    expect(readdirSync(join(o.dataDir, "generations", id, "app")).sort()).toEqual(["__init__.py", "main.py"]);
    const read = await callApi(o.url, "GET", `/api/generations/${id}`, { token });
    expect(read.body).toEqual(res.body);
  });
});
