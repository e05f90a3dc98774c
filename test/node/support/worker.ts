import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RateLimitMode, wranglerConfig } from "../../../scripts/dev-config.mjs";

// Starts the Worker the way `npm run dev` does — `wrangler dev` with local D1
// (migrated and seeded) and KV — but on free ports and a throwaway state
// directory, so it neither needs nor touches the developer's local data.

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");
const WRANGLER = path.join(ROOT, "node_modules", ".bin", "wrangler");
// Tests only; a real deployment sets its own with `wrangler secret put`.
const SECRET = "browser-test-secret-that-is-long-enough-0123456789";

export type RunningWorker = {
  url: string;
  /** Where its D1 and KV live: pass it to another startWorker to serve the same data. */
  state: string;
  /** Stops wrangler dev; the state directory is removed unless `keepState`. */
  stop(options?: { keepState?: boolean }): Promise<void>;
  output(): string;
};

export type WorkerOptions = {
  /** `production` (the default): wrangler.toml's limits; `local`: those of `npm run dev`. */
  limits?: RateLimitMode;
  /** Serve an earlier worker's state instead of a fresh one (migrated and seeded again, as `npm run dev` does). */
  state?: string;
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

const env = { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CI: "true" };

function run(args: string[], log: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(WRANGLER, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk) => log.push(String(chunk)));
    child.stderr.on("data", (chunk) => log.push(String(chunk)));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`wrangler ${args[0]} exited ${code}:\n${log.join("")}`)),
    );
  });
}

/** Ends the process and everything it started (its process group). */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // Already gone.
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
  signal("SIGKILL"); // anything of the group that outlived its parent
}

export async function startWorker(options: WorkerOptions = {}): Promise<RunningWorker> {
  const state = options.state ?? mkdtempSync(path.join(tmpdir(), "conduit-worker-"));
  const config = wranglerConfig(ROOT, options.limits ?? "production");
  const log: string[] = [];
  const local = ["--local", "--persist-to", state];
  let child: ChildProcess | undefined;
  const stop = async ({ keepState = false } = {}) => {
    if (child) await stopGroup(child);
    if (!keepState) rmSync(state, { recursive: true, force: true });
  };
  try {
    await run(["d1", "migrations", "apply", "conduit", ...local], log);
    await run(["d1", "execute", "conduit", ...local, "--file=drizzle/seed.sql"], log);
    const [port, inspectorPort] = [await freePort(), await freePort()];
    child = spawn(
      WRANGLER,
      [
        "dev",
        "--config",
        config,
        "--ip",
        "127.0.0.1",
        "--port",
        String(port),
        "--inspector-port",
        String(inspectorPort),
        "--persist-to",
        state,
        "--var",
        `JWT_SECRET:${SECRET}`,
        "--show-interactive-dev-session=false",
      ],
      // Its own process group, so stopping it also stops the workerd it starts.
      { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    child.stdout?.on("data", (chunk) => log.push(String(chunk)));
    child.stderr?.on("data", (chunk) => log.push(String(chunk)));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited ${child.exitCode}:\n${log.join("")}`);
      try {
        const reply = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
        if (reply.status === 200) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error(`wrangler dev did not answer within 90 s:\n${log.join("")}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return { url, state, stop, output: () => log.join("") };
  } catch (error) {
    await stop();
    throw error;
  }
}
