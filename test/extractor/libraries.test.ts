// Imports that leave the project, followed into installed packages (fixture site-packages and
// the sandbox image's own), and what is reported when a package is not there.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractEndpoints } from "../../libs/extractor/extract.ts";
import { directoryLibrary } from "../../libs/extractor/libraries.ts";
import { readProject } from "../../libs/extractor/read-project.ts";
import { fixtureDir, keysOf } from "./helpers.ts";

const project = () => readProject(join(fixtureDir("library_routers"), "project")).files;
const sitePackages = () => directoryLibrary(join(fixtureDir("library_routers"), "site-packages"), "site-packages");

describe("installed packages", () => {
  it("counts routers a library's factory methods build, with the library file and line as their source", () => {
    const { endpoints, diagnostics } = extractEndpoints(project(), { libraries: [sitePackages()] });
    expect(keysOf(endpoints)).toContain("POST /auth/jwt/login");
    expect(endpoints.find((e) => e.path === "/users/{id}" && e.method === "DELETE")).toMatchObject({ name: "delete_user", statusCode: 204, source: { file: "site-packages/auth_kit/router/users.py", line: 19 } });
    // The library's own module-level router is none of the project's business.
    expect(diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
  });

  it("without the package, lists the rest and says which include it could not follow, with file and line", () => {
    const { endpoints, diagnostics } = extractEndpoints(project());
    expect(keysOf(endpoints)).toEqual(["GET /authenticated-route"]);
    const unresolved = diagnostics.filter((d) => d.code === "unresolved_router");
    expect(unresolved.map((d) => `${d.file}:${d.line}`)).toEqual(["main.py:16", "main.py:17", "main.py:18"]);
    expect(unresolved[0]?.message).toContain("auth_kit.AuthKit");
  });

  it("a library directory is read only inside itself", () => {
    const library = sitePackages();
    expect(library.read("../project/main.py")).toBeNull();
    expect(library.read("auth_kit/missing.py")).toBeNull();
    expect(library.read("auth_kit")).toBeNull(); // a directory
  });

  const image = process.env["ORCHESTRATOR_RUNTIME_IMAGE_DIR"] ?? "/var/cache/preview-platform/images";
  const imageSitePackages = existsSync(image)
    ? readdirSync(image).map((hash) => join(image, hash, "root/usr/lib/python3/dist-packages")).find((dir) => existsSync(dir))
    : undefined;

  it("reads the sandbox image's own packages, but not those it models (fastapi, starlette, pydantic)", () => {
    // scripts/setup.sh builds the image; without it this is a broken setup, not a case to skip.
    expect(imageSitePackages, `no sandbox image with dist-packages under ${image} (npm run runtime:build)`).toBeDefined();
    const files = {
      "main.py": "from fastapi import FastAPI\nfrom fastapi.security import OAuth2PasswordBearer\nfrom linkify_it import __version__ as V, LinkifyIt\nimport click\napp = FastAPI()\n@app.get('/linkify/' + V)\ndef x(): pass\n",
    };
    const { endpoints, diagnostics } = extractEndpoints(files, { libraries: [directoryLibrary(imageSitePackages ?? "", "site-packages")] });
    expect(keysOf(endpoints)).toEqual(["GET /linkify/2.0.3"]); // linkify_it/__init__.py of the image, interpreted
    expect(diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
  });
});
