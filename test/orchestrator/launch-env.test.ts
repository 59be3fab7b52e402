// `env` on launch: it reaches the app, is kept for the generation, and is never in a response or a
// log line; .env is honoured; every variable the platform sets is announced with its reason.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type ErrorEnvelope } from "../support/api.ts";
import { envDumpApp } from "../support/fixture-apps.ts";
import { launch, previewPath, previewRow, status, upload } from "../support/previews.ts";
import { startTestOrchestrator, type TestOrchestrator } from "../support/test-orchestrator.ts";

const secret = "sk_live_canary_0f3e9a77_must_not_leak";
const withDotenv = { ...envDumpApp, ".env": "# generated\nSECRET_KEY=from-dotenv\nexport APP_NAME='Dotenv App'\nDATABASE_URL=postgresql://user:pw@db:5432/app\n" };
const sqlalchemyUriApp = {
  "main.py": [
    "import os",
    "from fastapi import FastAPI",
    "try:",
    "    from pydantic_settings import BaseSettings",
    "except ImportError:",
    "    from pydantic import BaseSettings",
    "",
    "class Settings(BaseSettings):",
    "    SQLALCHEMY_DATABASE_URI: str = 'postgresql+psycopg2://postgres@localhost/app'",
    "",
    "settings = Settings()",
    "app = FastAPI()",
    "",
    "@app.get('/db')",
    "def db():",
    "    return {'uri': settings.SQLALCHEMY_DATABASE_URI, 'url': os.environ.get('DATABASE_URL')}",
    "",
  ].join("\n"),
};

let o: TestOrchestrator;
let alice: string;
beforeAll(async () => {
  o = await startTestOrchestrator();
  alice = await o.token("alice");
});
afterAll(() => o?.dispose());

const appEnv = async (previewId: string) => {
  const { port } = previewRow(o, previewId);
  return (await (await fetch(`http://127.0.0.1:${port}/env`)).json()) as Record<string, string>;
};
const lines = (previewId: string) => o.logs(previewId).map((l) => `${l.source} ${l.level} ${l.message}`);

describe("env on launch", () => {
  it("reaches the app, is kept for the generation's next launch, and is in no response and no log line", async () => {
    const generationId = await upload(o, alice, envDumpApp);
    const responses: unknown[] = [];
    const launched = await launch(o, alice, generationId, { wait: true, env: { STRIPE_API_KEY: secret, FEATURE_FLAG: "on" } });
    expect(launched.status).toBe(200);
    responses.push(launched.body);
    const first = String(launched.body.previewInstanceId);
    expect(await appEnv(first)).toMatchObject({ STRIPE_API_KEY: secret, FEATURE_FLAG: "on" });
    for (const path of ["status", "endpoints", "config"]) responses.push((await callApi(o.url, "GET", `${previewPath(generationId)}/${path}`, { token: alice })).body);
    responses.push((await callApi(o.url, "GET", `/api/generations/${generationId}`, { token: alice })).body);
    responses.push((await callApi(o.url, "DELETE", previewPath(generationId), { token: alice })).body);

    // Relaunched without env: the generation's stored env is used.
    const again = await launch(o, alice, generationId, { wait: true });
    responses.push(again.body);
    const second = String(again.body.previewInstanceId);
    expect(await appEnv(second)).toMatchObject({ STRIPE_API_KEY: secret });
    responses.push((await status(o, alice, generationId)).body);
    await callApi(o.url, "DELETE", previewPath(generationId), { token: alice });

    expect(JSON.stringify(responses)).not.toContain(secret);
    expect(JSON.stringify([...o.logs(first), ...o.logs(second)])).not.toContain(secret);
  });

  it("is refused naming the variable, never echoing its value: a bad name, a name the platform owns, a value over the limit", async () => {
    const generationId = await upload(o, alice, envDumpApp);
    const cases: Array<[Record<string, string>, string]> = [
      [{ "1BAD": secret }, 'env."1BAD"'],
      [{ PYTHONPATH: secret }, "env.PYTHONPATH"],
      [{ BIG: `${secret}${"x".repeat(40_000)}` }, "env.BIG"],
    ];
    for (const [env, field] of cases) {
      const res = await callApi<ErrorEnvelope>(o.url, "POST", `${previewPath(generationId)}/launch`, { token: alice, json: { env } });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toMatchObject({ field });
      expect(JSON.stringify(res.body)).not.toContain(secret);
    }
    expect(o.query("select * from previews where generation_id = ?", generationId)).toEqual([]);
  });

  it("another user cannot launch the generation, so cannot reach its env", async () => {
    const generationId = await upload(o, alice, envDumpApp);
    const bob = await o.token("bob");
    const res = await callApi<ErrorEnvelope>(o.url, "POST", `${previewPath(generationId)}/launch`, { token: bob, json: { env: { X: "1" } } });
    expect(res.status).toBe(404);
  });
});

describe("the project's .env and the platform's own variables", () => {
  it("honours .env as python-dotenv would (never over a set variable); the launch's env wins; DATABASE_URL is announced", async () => {
    const generationId = await upload(o, alice, withDotenv);
    const launched = await launch(o, alice, generationId, { wait: true, env: { APP_NAME: "From Launch" } });
    expect(launched.status).toBe(200);
    const id = String(launched.body.previewInstanceId);
    const env = await appEnv(id);
    expect(env).toMatchObject({ SECRET_KEY: "from-dotenv", APP_NAME: "From Launch", DATABASE_URL: "sqlite:///./.preview.db" });
    expect(lines(id)).toContainEqual(
      "system INFO DATABASE_URL=sqlite:///./.preview.db is set by the platform: the preview has no database server, so a SQLite file in its work dir stands in (a value in the project's .env is not used)",
    );
    await callApi(o.url, "DELETE", previewPath(generationId), { token: alice });
  });

  it("points a settings field that is clearly the database URL (SQLALCHEMY_DATABASE_URI) at the same SQLite file, and says so", async () => {
    const generationId = await upload(o, alice, sqlalchemyUriApp);
    const launched = await launch(o, alice, generationId, { wait: true });
    expect(launched.status).toBe(200);
    const id = String(launched.body.previewInstanceId);
    const { port } = previewRow(o, id);
    expect(await (await fetch(`http://127.0.0.1:${port}/db`)).json()).toEqual({ uri: "sqlite:///./.preview.db", url: "sqlite:///./.preview.db" });
    expect(lines(id)).toContainEqual(expect.stringMatching(/^system INFO SQLALCHEMY_DATABASE_URI=sqlite:\/\/\/\.\/\.preview\.db is set by the platform: /));
    await callApi(o.url, "DELETE", previewPath(generationId), { token: alice });
  });

  it("leaves a DATABASE_URL given in the launch's env alone, and says the stand-in is not used", async () => {
    const generationId = await upload(o, alice, envDumpApp);
    const launched = await launch(o, alice, generationId, { wait: true, env: { DATABASE_URL: "sqlite:///./mine.db" } });
    const id = String(launched.body.previewInstanceId);
    expect((await appEnv(id)).DATABASE_URL).toBe("sqlite:///./mine.db");
    expect(lines(id)).toContainEqual("system INFO DATABASE_URL comes from the launch's env; the platform's SQLite stand-in is not used");
    expect(lines(id).some((l) => l.includes("mine.db"))).toBe(false);
    await callApi(o.url, "DELETE", previewPath(generationId), { token: alice });
  });
});
