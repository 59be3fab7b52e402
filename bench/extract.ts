// Extractor throughput on a large generated project (~2,000 modules, ~10,000 routes),
// next to the original approach (one regex over app/main.py), both scored against the
// route table FastAPI itself builds for the same project.
//   node bench/extract.ts [--modules 2000] [--routes-per-module 5]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { extractEndpoints } from "../libs/extractor/extract.ts";
import { readProject } from "../libs/extractor/read-project.ts";
import { fastapiRoutes } from "../test/extractor/ground-truth.ts";
import { scoreCorpus } from "./corpus/score.ts";
import { loadLine, timeBest, workerPath } from "./extract-timing.ts";
import type { CorpusScore } from "./corpus/score.ts";
import { REAL_WORLD_TRUTH, realWorldProjects } from "./corpus/real-world.ts";

const flag = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const MODULES = flag("modules", 2000);
const ROUTES_PER_MODULE = flag("routes-per-module", 5);
const PACKAGES = 40;
const VERBS = ["get", "post", "put", "patch", "delete"] as const;

const generate = (root: string): number => {
  const files = new Map<string, string>();
  files.set("app/__init__.py", "");
  files.set("app/core/__init__.py", "");
  files.set("app/core/config.py", 'from pydantic import BaseSettings\n\n\nclass Settings(BaseSettings):\n    API_V1_STR: str = "/api/v1"\n\n\nsettings = Settings()\n');
  files.set("app/schemas.py", "from pydantic import BaseModel\n\n\nclass Item(BaseModel):\n    name: str\n    price: float = 0\n");
  files.set("app/api/__init__.py", "");
  const perPackage = Math.ceil(MODULES / PACKAGES);
  const packages: string[] = [];
  for (let p = 0; p < PACKAGES; p++) {
    const modules = Array.from({ length: Math.min(perPackage, MODULES - p * perPackage) }, (_, i) => p * perPackage + i).filter((i) => i < MODULES);
    if (modules.length === 0) continue;
    packages.push(`pkg${p}`);
    files.set(`app/api/pkg${p}/__init__.py`, "from .router import api_router\n");
    files.set(`app/api/pkg${p}/endpoints/__init__.py`, "");
    const imports = modules.map((i) => `from .endpoints import m${i}`).join("\n");
    const includes = modules.map((i) => `api_router.include_router(m${i}.router, prefix="/m${i}", tags=["m${i}"])`).join("\n");
    files.set(`app/api/pkg${p}/router.py`, `from fastapi import APIRouter\n\n${imports}\n\nSECTION = "/pkg${p}"\napi_router = APIRouter(prefix=SECTION)\n${includes}\n`);
    for (const i of modules) {
      const routes = Array.from({ length: ROUTES_PER_MODULE }, (_, r) => {
        const verb = VERBS[r % VERBS.length] ?? "get";
        const body = verb === "post" || verb === "put" ? "item: Item, " : "";
        return `@router.${verb}(f"{BASE}/r${r}/{{item_id}}", tags=["r${r}"])\nasync def m${i}_r${r}(item_id: int, ${body}q: Optional[str] = None):\n    """Route ${r} of module ${i}."""\n    return {"id": item_id}\n`;
      });
      files.set(
        `app/api/pkg${p}/endpoints/m${i}.py`,
        `from typing import Optional\n\nfrom fastapi import APIRouter\n\nfrom app.schemas import Item\n\nBASE = "/items"\nrouter = APIRouter()\n\n\n${routes.join("\n\n")}`,
      );
    }
  }
  const directRoutes = Array.from({ length: 10 }, (_, i) => `@app.${VERBS[i % VERBS.length]}("/direct/${i}")\ndef direct_${i}():\n    return {}\n`).join("\n\n");
  files.set(
    "app/main.py",
    `from fastapi import FastAPI\n\nfrom app.core.config import settings\n${packages.map((name) => `from app.api.${name} import api_router as ${name}_router`).join("\n")}\n\napp = FastAPI(title="bench")\n${packages.map((name) => `app.include_router(${name}_router, prefix=settings.API_V1_STR)`).join("\n")}\n\n\n${directRoutes}`,
  );
  for (const [file, content] of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  }
  return files.size;
};

const NAIVE = /@app\.(get|post|put|delete|patch)\(["']([^"']+)/g;
const naiveExtract = (root: string): string[] => {
  const source = readFileSync(join(root, "app/main.py"), "utf8");
  return [...source.matchAll(NAIVE)].map((match) => `${(match[1] ?? "").toUpperCase()} ${match[2] ?? ""}`);
};

const score = (found: ReadonlyArray<string>, truth: ReadonlySet<string>) => {
  const unique = new Set(found);
  const hits = [...unique].filter((key) => truth.has(key)).length;
  return { recall: hits / truth.size, precision: unique.size === 0 ? 1 : hits / unique.size, count: unique.size };
};

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const main = async (): Promise<void> => {
  const root = mkdtempSync(join(tmpdir(), "extract-bench-"));
  try {
    const fileCount = generate(root);
    const truthStart = performance.now();
    const truthRoutes = fastapiRoutes([{ dir: root, entry: "app.main:app" }])[0] ?? [];
    const truthMs = performance.now() - truthStart;
    const truth = new Set(truthRoutes.map((route) => `${route.method} ${route.path}`));

    const rssBefore = process.memoryUsage().rss;
    const read = await timeBest(3, () => readProject(root));
    const extract = await timeBest(3, () => extractEndpoints(read.result.files));
    const peakRss = process.resourceUsage().maxRSS * 1024;
    const naive = await timeBest(3, () => naiveExtract(root));
    // The service's path: the files as the request carries them (text), into a worker with the service's default heap cap.
    const asText = Object.fromEntries([...read.result.files].map(([path, bytes]) => [path, Buffer.from(bytes).toString("utf8")]));
    const service = workerPath(512);
    const inWorker = await timeBest(3, () => service.extract(asText));
    await service.dispose();

    const extractor = score(extract.result.endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`), truth);
    const viaWorker = score(inWorker.result.endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`), truth);
    const regex = score(naive.result, truth);
    const rate = (ms: number) => (fileCount / (ms / 1000)).toFixed(0);
    const rows = [
      ["tool", "files", "wall", "files/s", "CPU", "files/CPU-s", "first run (cold)", "routes", "recall", "precision"],
      [
        "extractor, in process (read + extract)", String(fileCount), `${(read.wallMs + extract.wallMs).toFixed(0)} ms`, rate(read.wallMs + extract.wallMs),
        `${(read.cpuMs + extract.cpuMs).toFixed(0)} ms`, rate(read.cpuMs + extract.cpuMs), "", String(extractor.count),
        `${(extractor.recall * 100).toFixed(1)}%`, `${(extractor.precision * 100).toFixed(1)}%`,
      ],
      [
        "extractor, in process (extract only)", String(fileCount), `${extract.wallMs.toFixed(0)} ms`, rate(extract.wallMs),
        `${extract.cpuMs.toFixed(0)} ms`, rate(extract.cpuMs), `${extract.firstMs.toFixed(0)} ms, CPU ${extract.firstCpuMs.toFixed(0)} ms`, "", "", "",
      ],
      [
        "extractor service path (worker, 512 MiB)", String(fileCount), `${inWorker.wallMs.toFixed(0)} ms`, rate(inWorker.wallMs),
        `${inWorker.cpuMs.toFixed(0)} ms`, rate(inWorker.cpuMs), `${inWorker.firstMs.toFixed(0)} ms, CPU ${inWorker.firstCpuMs.toFixed(0)} ms`, String(viaWorker.count),
        `${(viaWorker.recall * 100).toFixed(1)}%`, `${(viaWorker.precision * 100).toFixed(1)}%`,
      ],
      [
        "naive regex, app/main.py", "1", `${naive.wallMs.toFixed(2)} ms`, "", "", "", "", String(regex.count),
        `${(regex.recall * 100).toFixed(1)}%`, `${(regex.precision * 100).toFixed(1)}%`,
      ],
    ];
    const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
    console.log(`generated ${fileCount} files, FastAPI serves ${truth.size} routes (ground truth from /usr/bin/python3 in ${(truthMs / 1000).toFixed(1)} s)`);
    console.log(`${loadLine()}; RSS before extraction ${megabytes(rssBefore)}, peak after the in-process runs ${megabytes(peakRss)}; diagnostics: ${extract.result.diagnostics.length}`);
    for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  "));
    const target = 2000;
    const met = (ms: number) => (fileCount / (ms / 1000) >= target ? "met" : "NOT met");
    console.log(
      `target ≥ ${target} files/s (best warm run): service path ${met(inWorker.wallMs)} by wall time, ${met(inWorker.cpuMs)} per CPU-second; ` +
        `in process ${met(extract.wallMs)} by wall time, ${met(extract.cpuMs)} per CPU-second. Recall of the regex on app/main.py: ${(regex.recall * 100).toFixed(1)}%`,
    );
    printCorpusScore();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
};

/** Both corpora: precision and recall against FastAPI's own route tables. */
const printCorpusScore = (): void => {
  const percent = (value: number) => `${(value * 100).toFixed(2)}%`;
  const report = (name: string, corpus: CorpusScore): void => {
    console.log(
      `${name}: ${corpus.projects} projects, ${corpus.files} files, ${corpus.skipped} the image cannot import left out; ` +
        `${corpus.truthRoutes} routes served, ${corpus.foundRoutes} listed, precision ${percent(corpus.precision)}, recall ${percent(corpus.recall)} ` +
        `(target ≥ 99.5%: ${corpus.precision >= 0.995 && corpus.recall >= 0.995 ? "met" : "NOT met"}); ${(corpus.files / (corpus.ms / 1000)).toFixed(0)} files/s one project at a time`,
    );
    for (const miss of corpus.misses) console.log(`  ${miss.id}: missing ${miss.missing.join(", ") || "-"}; extra ${miss.extra.join(", ") || "-"}`);
  };
  report("documentation corpus (FastAPI docs_src)", scoreCorpus());
  const realWorld = realWorldProjects();
  for (const missing of realWorld.unavailable) console.log(`  real-world project ${missing.id} not read: ${missing.reason}`);
  report("real-world corpus (public FastAPI applications, bench/corpus/real-world.json)", scoreCorpus(realWorld.projects, REAL_WORLD_TRUTH));
  console.log(`peak RSS of the whole bench: ${megabytes(process.resourceUsage().maxRSS * 1024)}`);
};

await main();
