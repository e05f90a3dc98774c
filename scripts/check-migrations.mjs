// Fails when src/db/schema.ts and migrations/ disagree: drizzle-kit generates
// into a scratch copy of migrations/, and any new file means the committed
// migrations no longer describe the schema (run `npm run db:generate`).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";

// drizzle-kit reads `out` relative to the project, so the scratch copy lives inside it.
const scratch = ".wrangler/drift-check";
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
try {
  cpSync("migrations", scratch, { recursive: true });
  const before = new Set(readdirSync(scratch));
  // drizzle-kit can exit 0 after an error, so its answer is read, not its status.
  const output = execFileSync("npx", ["drizzle-kit", "generate", "--name", "drift-check"], {
    env: { ...process.env, DRIZZLE_OUT: scratch },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const added = readdirSync(scratch).filter((name) => !before.has(name));
  if (!/No schema changes/i.test(output) && !added.length) {
    console.error(`Could not check migrations; drizzle-kit said:\n${output}`);
    process.exit(1);
  }
  if (added.length) {
    console.error(`Schema and migrations have drifted: drizzle-kit would add ${added.join(", ")}.`);
    console.error("Run `npm run db:generate` and commit the new migration.");
    process.exit(1);
  }
  console.log("migrations match src/db/schema.ts");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
