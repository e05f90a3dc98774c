import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import newman, { type Summary } from "newman";
import { afterAll, describe, expect, it } from "vitest";
import { sharedPath } from "../../scripts/shared.mjs";
import { type RunningWorker, startWorker } from "./support/worker";

// The official RealWorld Postman collection (../shared/realworld, never copied
// here), run with newman against `wrangler dev` served as `npm run dev` serves
// it (local D1 migrated and seeded, local rate limits): on a fresh database,
// then again on the same database after a restart, with a new user each time,
// as the RealWorld repository's run-api-tests.sh does. Every assertion must
// pass. The counts go to test-results/postman.json, which .ci/run prints.
// Run alone: `npm run test:postman`. Without the collection a local run skips
// this with a message; CI fails (scripts/shared.mjs).

const COLLECTION = sharedPath("realworld/Conduit.postman_collection.json");
const RESULTS = path.resolve(import.meta.dirname, "..", "..", "test-results", "postman.json");

type Pass = { database: "fresh" | "reused"; requests: number; assertions: number; failed: number; failures: string[] };

function runCollection(worker: RunningWorker, collection: unknown): Promise<Summary> {
  const username = `u${Date.now()}${Math.random().toString(36).slice(2, 6)}`;
  // The collection's own run script defaults PASSWORD to "password", which the
  // common-password rule refuses (422), as it should; the collection takes any.
  const password = `pm-${Math.random().toString(36).slice(2, 10)}-pass`;
  const globals = { APIURL: `${worker.url}/api`, USERNAME: username, EMAIL: `${username}@mail.com`, PASSWORD: password };
  return new Promise((resolve, reject) =>
    newman.run(
      {
        collection,
        globalVar: Object.entries(globals).map(([key, value]) => ({ key, value })),
        timeoutRequest: 30_000,
        reporters: [],
      },
      (error, summary) => (error ? reject(error) : resolve(summary)),
    ),
  );
}

const passOf = (database: Pass["database"], summary: Summary): Pass => ({
  database,
  requests: summary.run.stats.requests.total,
  assertions: summary.run.stats.assertions.total,
  failed: summary.run.stats.assertions.failed,
  failures: summary.run.failures.map(
    (failure) => `${failure.source?.name ?? "?"}: ${failure.error.test ?? ""} ${failure.error.message}`,
  ),
});

describe.skipIf(COLLECTION === null)("the RealWorld Postman collection (newman)", () => {
  const passes: Pass[] = [];
  let worker: RunningWorker | undefined;
  afterAll(async () => {
    await worker?.stop();
    mkdirSync(path.dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(passes, null, 2)}\n`);
    for (const pass of passes) {
      console.log(
        `Postman collection, ${pass.database} database: ${pass.assertions - pass.failed}/${pass.assertions} assertions passed`,
      );
    }
  });

  const collection = COLLECTION === null ? null : JSON.parse(readFileSync(COLLECTION, "utf8"));

  it("passes every assertion on a fresh database", async () => {
    worker = await startWorker({ limits: "local" });
    const pass = passOf("fresh", await runCollection(worker, collection));
    passes.push(pass);
    expect(pass.failures).toEqual([]);
    expect(pass.assertions).toBeGreaterThanOrEqual(300);
  });

  it("passes every assertion again on the same database, after a restart", async () => {
    expect(worker, "the fresh run started the worker").toBeDefined();
    const state = worker!.state;
    await worker!.stop({ keepState: true });
    worker = await startWorker({ limits: "local", state });
    const pass = passOf("reused", await runCollection(worker, collection));
    passes.push(pass);
    expect(pass.failures).toEqual([]);
    expect(pass.assertions).toBeGreaterThanOrEqual(300);
  });
});
