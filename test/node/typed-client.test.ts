import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The typed-client check: openapi-typescript generates types from the
// committed public/openapi.json, as a frontend developer would, and a small
// client (typed-client/client.ts) must compile against them: a create request
// without its optional fields, query parameters left out, answers whose
// always-present fields are not optional. Its @ts-expect-error lines must fail.

const HERE = path.join(import.meta.dirname, "typed-client");
const DOCUMENT = path.resolve(import.meta.dirname, "..", "..", "public", "openapi.json");
const GENERATED = path.resolve(import.meta.dirname, "..", "..", "test-results", "typed-client");

describe("a client typed by openapi-typescript", () => {
  it("compiles: optional request fields can be omitted, required ones cannot", async () => {
    const types = astToString(await openapiTS(JSON.parse(readFileSync(DOCUMENT, "utf8"))));
    mkdirSync(GENERATED, { recursive: true });
    writeFileSync(path.join(GENERATED, "conduit-api.d.ts"), types);
    writeFileSync(path.join(GENERATED, "client.ts"), readFileSync(path.join(HERE, "client.ts"), "utf8"));
    const program = ts.createProgram([path.join(GENERATED, "client.ts")], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      exactOptionalPropertyTypes: true,
      types: [],
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    expect(problems).toEqual([]);
  });
});
