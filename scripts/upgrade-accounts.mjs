// The one-off step after the migrations of issue 10 (README, "Security"):
//   npm run db:upgrade -- --local     (or --remote)
// For every account it
// - rewrites a password hash in the first release's format
//   (`pbkdf2-sha256$100000$…`) in today's, by chaining the missing PBKDF2 calls
//   onto the stored hash: no password needed, and the result is exactly what
//   hashing the password today would store with that salt;
// - gives a username that has no `username_skeleton` yet (the migration fills
//   it in SQL for ASCII names only) its skeleton. Two accounts whose names
//   already look alike cannot both have it: the older keeps it, and the newer
//   is listed at the end (it still works; nobody else can take that look).
// Each update applies only if the row still holds what was read, so running it
// while the Worker serves is safe, and running it again changes nothing. Login
// already does the same work for old hashes as for new ones; this step removes
// the old format itself.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SKELETON_SQL, skeletonInput } from "../src/db/skeleton.ts";
import { upgradeStoredHash } from "../src/domain/password.ts";

const where = process.argv.includes("--remote") ? "--remote" : process.argv.includes("--local") ? "--local" : null;
if (!where) {
  console.error("usage: npm run db:upgrade -- --local | --remote");
  process.exit(2);
}
// `--persist-to <dir>` passes through to wrangler (a local database elsewhere).
const persist = process.argv.indexOf("--persist-to");
const location = persist > 0 ? [where, "--persist-to", process.argv[persist + 1]] : [where];
const DATABASE = "conduit";
const PAGE = 500;
const CURRENT = "pbkdf2-sha256$100000x6$";

const root = path.join(import.meta.dirname, "..");
const scratch = path.join(root, "node_modules", ".cache", "upgrade-accounts");
mkdirSync(scratch, { recursive: true });
const statements = path.join(scratch, `updates-${process.pid}.sql`);

function d1(args) {
  const output = execFileSync("npx", ["wrangler", "d1", "execute", DATABASE, ...location, "--json", ...args], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(output)[0]?.results ?? [];
}
const quote = (text) => `'${String(text).replaceAll("'", "''")}'`;

try {
  let after = 0;
  let hashes = 0;
  let skeletons = 0;
  for (;;) {
    const rows = d1([
      "--command",
      `SELECT id, username, password_hash, username_skeleton FROM users WHERE id > ${after} AND (username_skeleton IS NULL OR password_hash NOT LIKE '${CURRENT}%') ORDER BY id LIMIT ${PAGE}`,
    ]);
    if (!rows.length) break;
    after = rows.at(-1).id;
    const updates = [];
    for (const row of rows) {
      const upgraded = row.password_hash.startsWith(CURRENT) ? null : await upgradeStoredHash(row.password_hash);
      if (upgraded) {
        updates.push(
          `UPDATE users SET password_hash = ${quote(upgraded)} WHERE id = ${row.id} AND password_hash = ${quote(row.password_hash)};`,
        );
        hashes += 1;
      }
      if (row.username_skeleton === null) {
        // OR IGNORE: a skeleton another account holds is left unset rather than failing the page.
        updates.push(
          `UPDATE OR IGNORE users SET username_skeleton = ${SKELETON_SQL.replace("?", () => quote(skeletonInput(row.username)))} WHERE id = ${row.id} AND username = ${quote(row.username)} AND username_skeleton IS NULL;`,
        );
        skeletons += 1;
      }
    }
    if (updates.length) {
      writeFileSync(statements, `${updates.join("\n")}\n`);
      d1(["--file", statements, "--yes"]);
    }
  }
  console.log(`upgraded ${hashes} password hash(es); computed ${skeletons} username skeleton(s)`);
  const clashes = d1(["--command", "SELECT id, username FROM users WHERE username_skeleton IS NULL ORDER BY id"]);
  for (const row of clashes) {
    console.log(`account ${row.id} (${row.username}) looks like an older account's name: its skeleton stays unset`);
  }
} finally {
  rmSync(statements, { force: true });
}
