// Writes public/openapi.json, the OpenAPI document, from the route
// declarations (src/openapi/document.ts). Workers static assets serve it, so
// the generator and the JSON Schema converter stay out of the Worker bundle.
// test/openapi.test.ts fails while the committed file differs.
//
// The generator imports the route modules, which import each other without
// file extensions, so Node cannot run them as they are: esbuild bundles them
// into one module first (its dependencies stay external, loaded from
// node_modules).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = path.join(import.meta.dirname, "..");
const scratch = path.join(root, "node_modules", ".cache", "openapi");
const bundled = path.join(scratch, `document-${process.pid}.mjs`);
mkdirSync(scratch, { recursive: true });
try {
  await build({
    entryPoints: [path.join(root, "src", "openapi", "document.ts")],
    outfile: bundled,
    bundle: true,
    format: "esm",
    platform: "node",
    packages: "external",
    // The route declarations' prose (src/build.d.ts): what this document is made of.
    define: { OPENAPI: "true" },
    logLevel: "error",
  });
  const { openApiJson } = await import(pathToFileURL(bundled).href);
  const target = path.join(root, "public", "openapi.json");
  writeFileSync(target, openApiJson());
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
} finally {
  rmSync(bundled, { force: true });
}
