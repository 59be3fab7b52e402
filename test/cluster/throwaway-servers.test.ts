import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ThrowawayNats, startThrowawayNats } from "../../libs/cluster/throwaway-nats.ts";
import { type ThrowawayPostgres, startThrowawayPostgres } from "../../libs/cluster/throwaway-postgres.ts";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "throwaway-"));
  await chmod(root, 0o755); // the postgres user must get through it
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Debian's psql against the server: what any client sees. */
const psql = (pg: ThrowawayPostgres, sql: string): string =>
  execFileSync("psql", ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", pg.url, "-c", sql], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

describe("throwaway PostgreSQL", () => {
  it("starts on loopback, keeps committed rows across a restart and across a new start on the same dir, and stops", async () => {
    const dir = join(root, "pg");
    const pg = await startThrowawayPostgres(dir);
    try {
      expect(pg.url).toMatch(/^postgres:\/\/app@127\.0\.0\.1:\d+\/platform$/);
      expect(psql(pg, "show listen_addresses")).toBe("127.0.0.1");
      expect(psql(pg, "select current_user")).toBe("app");
      psql(pg, "create table kept (n int); insert into kept values (42)");
      await pg.stop();
      expect(() => psql(pg, "select 1")).toThrow();
      await pg.start();
      expect(psql(pg, "select n from kept")).toBe("42");
    } finally {
      await pg.stop();
    }
    // The same DATA_DIR again: no second initdb, the data is there.
    const again = await startThrowawayPostgres(dir);
    try {
      expect(psql(again, "select n from kept")).toBe("42");
    } finally {
      await again.stop();
    }
    expect(() => psql(again, "select 1")).toThrow();
  });

  it("names the closed parent when the postgres user cannot reach the dir", async () => {
    const closed = await mkdtemp(join(tmpdir(), "closed-"));
    try {
      await chmod(closed, 0o700);
      await expect(startThrowawayPostgres(join(closed, "pg"))).rejects.toThrow(/postgres user cannot reach .*closed-/);
    } finally {
      await rm(closed, { recursive: true, force: true });
    }
  });
});

/** Speaks NATS's text protocol over a socket: publish to a subject and receive it back. */
const roundTrip = (port: number, subject: string, payload: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let seen = "";
    socket.on("error", reject);
    socket.on("data", (d) => {
      seen += d.toString();
      if (seen.startsWith("INFO ") && !seen.includes("SUB-SENT")) {
        seen += "SUB-SENT";
        socket.write(`CONNECT {"verbose":false}\r\nSUB ${subject} 1\r\nPUB ${subject} ${payload.length}\r\n${payload}\r\nPING\r\n`);
      }
      const match = new RegExp(`MSG ${subject} 1 ${payload.length}\\r\\n(.*)\\r\\n`).exec(seen);
      if (match !== null) {
        socket.end();
        resolve(match[1] ?? "");
      }
    });
  });

describe("throwaway NATS", () => {
  let nats: ThrowawayNats;

  beforeAll(async () => {
    nats = await startThrowawayNats(join(root, "nats"));
  });

  afterAll(async () => {
    await nats.stop();
  });

  it("delivers a published message, and comes back on the same port after a restart", async () => {
    expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
    expect(await roundTrip(nats.port, "preview.test", "hello")).toBe("hello");
    const first = nats.pid;
    await nats.stop();
    expect(() => process.kill(first, 0)).toThrow();
    await expect(roundTrip(nats.port, "preview.test", "x")).rejects.toThrow(/ECONNREFUSED/);
    await nats.start();
    expect(nats.pid).not.toBe(first);
    expect(await roundTrip(nats.port, "preview.test", "again")).toBe("again");
  });
});
