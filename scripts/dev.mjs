// Last step of `npm run dev`: `wrangler dev` with local rate limits, or with
// the production ones when CONDUIT_RATE_LIMITS=production (scripts/dev-config.mjs).
// Arguments after `npm run dev --` go to wrangler dev.
import { spawn } from "node:child_process";
import path from "node:path";
import { rateLimitMode, wranglerConfig } from "./dev-config.mjs";

const root = path.resolve(import.meta.dirname, "..");
let mode;
try {
  mode = rateLimitMode();
} catch (error) {
  console.error(error.message);
  process.exit(2);
}
const config = wranglerConfig(root, mode);
console.log(
  mode === "production"
    ? "Rate limits: production (wrangler.toml)."
    : "Rate limits: local (scripts/dev-config.mjs); CONDUIT_RATE_LIMITS=production npm run dev serves the production ones.",
);
const wrangler = path.join(root, "node_modules", ".bin", "wrangler");
// LOCAL_DEVELOPMENT tells the Worker it may run with the example secret of
// .dev.vars.example (src/http/configuration.ts); plain `wrangler dev` may not.
const child = spawn(wrangler, ["dev", "--config", config, "--var", "LOCAL_DEVELOPMENT:true", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
// Ctrl-C reaches wrangler too (same process group); wait for it to finish.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
