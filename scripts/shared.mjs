// The reference files the tests check the project against — the RealWorld
// contract and Postman collection, the JSON:API schema — live beside the
// repository, in ../shared (CI clones the repository with shared/ next to it),
// and are never copied into it. CONDUIT_SHARED_DIR points elsewhere (a git
// worktree, say). Missing in CI is a failure; in a plain local `npm test` the
// checks that need a file are skipped with a message saying so.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export const SHARED_DIR = path.resolve(process.env.CONDUIT_SHARED_DIR ?? path.join(import.meta.dirname, "..", "..", "shared"));

const warned = new Set();

/** The path of a shared file, or null (after a warning) when it is missing outside CI; throws in CI. */
export function sharedPath(relative) {
  const file = path.join(SHARED_DIR, relative);
  if (existsSync(file)) return file;
  const where = `${file} is missing (set CONDUIT_SHARED_DIR to the folder that holds ${relative})`;
  if (process.env.CI) throw new Error(`CI needs the reference file ${relative} beside the repository: ${where}`);
  if (!warned.has(file)) console.warn(`\n⚠ ${where}: the checks that read it are skipped\n`);
  warned.add(file);
  return null;
}

/** The shared file's text, or null when it is missing outside CI (see sharedPath). */
export function readShared(relative) {
  const file = sharedPath(relative);
  return file === null ? null : readFileSync(file, "utf8");
}
