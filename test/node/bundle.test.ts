import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The deployable bundle leaves out what only the OpenAPI document says: route
// declarations and response schemas write their prose and examples
// `OPENAPI && {...}` (src/build.d.ts), which wrangler.toml's [define] folds
// away. A `doc` written without the guard still compiles; this test is what
// catches it. The document's own text is the list to look for: every
// operation's description and answers, and the schemas' notes, as
// public/openapi.json holds them. Summaries stay (`GET /api` lists them), and
// so does the GraphQL SDL, which introspection serves and which says some of
// the same.

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const WRANGLER = path.join(ROOT, "node_modules", ".bin", "wrangler");

type Operation = {
  operationId: string;
  summary: string;
  description?: string;
  requestBody?: { description?: string };
  responses: Record<string, { description?: string }>;
};

/** A run of plain prose from `text`: the same characters in any string literal the minifier writes. */
const plainRun = (text: string) => (text.match(/[A-Za-z0-9 ,;()'-]{24,}/g) ?? []).sort((a, b) => b.length - a.length)[0];

describe("the deployable bundle", () => {
  it("carries none of the routes' documentation prose", () => {
    const outdir = mkdtempSync(path.join(tmpdir(), "conduit-bundle-"));
    try {
      const run = spawnSync(WRANGLER, ["deploy", "--dry-run", "--outdir", outdir], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      });
      expect(run.status, run.stderr).toBe(0);
      const bundle = readFileSync(path.join(outdir, "index.js"), "utf8");
      const document = JSON.parse(readFileSync(path.join(ROOT, "public", "openapi.json"), "utf8"));
      const operations: Operation[] = Object.values(document.paths as Record<string, Record<string, Operation>>)
        .flatMap((item) => Object.values(item))
        .filter((operation) => !operation.operationId.startsWith("GraphQL"));
      const prose = operations.flatMap((operation) =>
        [
          operation.description?.split("\n\n")[0],
          operation.requestBody?.description,
          ...Object.entries(operation.responses)
            .filter(([status]) => status.startsWith("2"))
            .map(([, answer]) => answer.description),
        ].flatMap((text) => {
          const run = text === undefined ? undefined : plainRun(text);
          return run === undefined ? [] : [{ operation: operation.operationId, run }];
        }),
      );
      // And the notes on the schemas' fields (the REST responses' among them).
      const notes: string[] = [];
      const collect = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(collect);
        else if (value && typeof value === "object") {
          for (const [key, inner] of Object.entries(value)) {
            if (key === "description" && typeof inner === "string") notes.push(inner);
            else collect(inner);
          }
        }
      };
      collect(document.components.schemas);
      for (const note of notes) {
        const run = plainRun(note);
        if (run !== undefined) prose.push({ operation: "components.schemas", run });
      }
      // Summaries stay (a route without a description of its own is described by its summary), and the SDL.
      const kept = [...operations.map((operation) => operation.summary), readFileSync(path.join(ROOT, "schema.graphql"), "utf8")];
      const undocumentedRuns = prose.filter(({ run }) => !kept.some((text) => text.includes(run)));
      // The check looks at something: most routes have a long enough run of prose.
      expect(undocumentedRuns.length).toBeGreaterThan(operations.length);
      expect(undocumentedRuns.filter(({ run }) => bundle.includes(run))).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);
});
