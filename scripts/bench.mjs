// `npm run bench`: builds the deployable bundle, serves it on the local Workers
// runtime (workerd, through Miniflare's API, on a socket of its own: not under
// `wrangler dev`, whose proxy caps throughput) next to a floor Worker
// (bench/floor.js), loads both from 127.0.0.1 for a bounded time (the cases in
// alternating slices, so that other work on the machine weighs on all alike),
// times the first page of the article list at 1,000 and 100,000 articles and
// reports the gzip size of the bundle. At both sizes it also times the first
// page of a full-text search: one for a word in 1% of the articles (the case
// with a target: within 3x of the list's first page) and one for a word in
// every article (the most a search can cost). Nothing is left behind: workerd is
// stopped and its state (a temporary directory) removed, even on failure.
//
//   BENCH_DURATION     seconds measured per case (default 10)
//   BENCH_JSON         a file to write the results to as JSON
//   BENCH_CONNECTIONS  concurrent connections of the load generator (default 32)

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { Miniflare } from "miniflare";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const HOST = "127.0.0.1";
const DURATION = positive("BENCH_DURATION", 10);
const CONNECTIONS = Math.round(positive("BENCH_CONNECTIONS", 32));
const JSON_PATH = process.env.BENCH_JSON || null;
// Load before each measurement, not counted: fills caches, lets the JIT settle.
const WARMUP_SECONDS = Math.max(1, Math.min(3, Math.round(DURATION / 4)));
// Each case is measured in slices of about this many seconds, taken in turn.
const SLICE_SECONDS = 2;
const SCALE_SIZES = [1_000, 100_000];
const SCALE_SAMPLES = 200;
const SCALE_WARMUP = 20;
// Every scale article's body names one of this many subjects, so a search for one subject matches 1% of them.
const SUBJECTS = 100;
// A search matching every article ranks all of them: slower, so fewer samples.
const BROAD_SAMPLES = 50;

const COMPATIBILITY = { compatibilityDate: "2026-11-01", compatibilityFlags: ["nodejs_compat"] };
const PASSWORD = "bench-password-0123";

function positive(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not ${JSON.stringify(raw)}`);
  return value;
}

const log = (line = "") => process.stdout.write(`${line}\n`);
const loadLine = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");

// --- build ---------------------------------------------------------------

function build(outdir) {
  const wrangler = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  const run = spawnSync(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", outdir], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (run.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${run.stdout}\n${run.stderr}`);
  const modules = readdirSync(outdir).filter((file) => /\.(m?js|cjs|wasm)$/.test(file));
  if (modules.length !== 1 || modules[0] !== "index.js") {
    throw new Error(`expected the bundle to be one index.js, found: ${modules.join(", ")}`);
  }
  const code = readFileSync(join(outdir, "index.js"));
  return { code: code.toString("utf8"), bytes: code.length, gzipBytes: gzipSync(code).length };
}

// --- the runtime -----------------------------------------------------------

function worker(name, code, env) {
  return {
    config: {
      name,
      ...COMPATIBILITY,
      manifest: { mainModule: "index.js", modules: { "index.js": { type: "esm", contents: code } } },
      env,
    },
    // A socket of the Worker's own in workerd: requests reach it without
    // passing through Miniflare's entry Worker (which roughly triples the cost
    // of a trivial request).
    dev: { unsafeDirectSockets: [{ host: HOST, port: 0 }] },
  };
}

const text = (value) => ({ type: "text", value });

// The app's bindings as in wrangler.toml, with storage of its own per instance.
// The rate limiters are bound (so their calls are paid for, as in production)
// with a limit no run reaches: the bench measures cost, not refusals.
function appEnv(name) {
  const limiter = (namespace) => ({ type: "rate-limit", namespace, simple: { limit: 1_000_000_000, period: 60 } });
  return {
    DB: { type: "d1", id: `bench-${name}` },
    CACHE: { type: "kv", id: `bench-${name}-cache` },
    JWT_SECRET: text("bench-only-signing-secret-0123456789abcdef"),
    JWT_ISSUER: text("conduit-edge"),
    JWT_AUDIENCE: text("conduit-edge-api"),
    JWT_TTL_SECONDS: text("604800"),
    AUTH_ACCOUNT_LIMITER: limiter(`${name}-1001`),
    AUTH_CLIENT_LIMITER: limiter(`${name}-1002`),
    WRITE_CLIENT_LIMITER: limiter(`${name}-1003`),
    READ_BYPASS_LIMITER: limiter(`${name}-1004`),
    GRAPHQL_CLIENT_LIMITER: limiter(`${name}-1005`),
  };
}

// What the Workers log (console.*), kept out of the report: counted, and the
// first few distinct lines shown at the end.
const workerLogs = { count: 0, levels: {}, samples: new Set() };
function keepLog({ level, message }) {
  workerLogs.count += 1;
  workerLogs.levels[level] = (workerLogs.levels[level] ?? 0) + 1;
  if (workerLogs.samples.size < 5) workerLogs.samples.add(`${level}: ${message.slice(0, 300)}`);
}

function startRuntime(stateDir, appCode) {
  return new Miniflare({
    host: HOST,
    port: 0,
    resourcePersistencePath: stateDir,
    logRequests: false,
    enableDevRegistry: false,
    telemetry: { enabled: false },
    handleStructuredLogs: keepLog,
    workers: [
      worker("conduit", appCode, appEnv("conduit")),
      // The same bundle twice more, on databases of 1,000 and 100,000 articles.
      ...SCALE_SIZES.map((size) => worker(`scale-${size}`, appCode, appEnv(`scale-${size}`))),
      worker("floor", readFileSync(join(ROOT, "bench", "floor.js"), "utf8"), {
        DB: { type: "d1", id: "bench-floor" },
        KV: { type: "kv", id: "bench-floor-kv" },
      }),
    ],
  });
}

async function migrate(db) {
  const dir = join(ROOT, "migrations");
  const files = readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .sort();
  for (const file of files) {
    const statements = readFileSync(join(dir, file), "utf8")
      .split("--> statement-breakpoint")
      .map((sql) => sql.trim())
      .filter(Boolean);
    await db.batch(statements.map((sql) => db.prepare(sql)));
  }
  return files.length;
}

async function seedFloor(mf) {
  const db = await mf.getD1Database("DB", "floor");
  await db
    .prepare(
      "CREATE TABLE items (id INTEGER PRIMARY KEY, slug TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL, created_at INTEGER NOT NULL)",
    )
    .run();
  await db
    .prepare(
      `INSERT INTO items (id, slug, title, description, created_at)
       WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 100)
       SELECT i, 'item-' || i, 'Floor item number ' || i, 'A row of the floor table, about as long as an article description, number ' || i || '.', 1700000000000 + i FROM seq`,
    )
    .run();
  const kv = await mf.getKVNamespace("KV", "floor");
  // ~10 KB, about the size of a cached first page of the article list.
  const items = Array.from({ length: 40 }, (_, i) => ({ id: i, text: "x".repeat(200) }));
  await kv.put("value", JSON.stringify({ items }));
}

// --- HTTP ------------------------------------------------------------------

async function call(base, method, path, { token, body, headers = {} } = {}) {
  const response = await fetch(new URL(path, base), {
    method,
    headers: {
      ...(token ? { authorization: `Token ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

async function expectOk(base, method, path, options) {
  const response = await call(base, method, path, options);
  if (response.status < 200 || response.status > 299) {
    throw new Error(`${method} ${path} answered ${response.status}: ${response.text.slice(0, 500)}`);
  }
  return response.text ? JSON.parse(response.text) : null;
}

function serverTiming(headers) {
  const value = headers.get("server-timing") ?? "";
  const cache = /\bcache;desc=(\w+)/.exec(value)?.[1] ?? null;
  const d1 = /\bd1;desc=(\d+)/.exec(value);
  const d1Ms = /\bd1;desc=\d+;dur=([\d.]+)/.exec(value);
  return { raw: value, cache, d1: d1 ? Number(d1[1]) : null, d1Ms: d1Ms ? Number(d1Ms[1]) : null };
}

// --- seeding the app through its API --------------------------------------

const TAGS = [
  "edge",
  "workers",
  "sqlite",
  "d1",
  "kv",
  "hono",
  "drizzle",
  "typescript",
  "caching",
  "latency",
  "http",
  "realworld",
];
const PARAGRAPH =
  "Serving a publishing platform from the edge means every request is answered close to the reader, and most of what readers ask for is the same for all of them. ";

async function seedApp(base) {
  const names = ["bench-ada", "bench-grace", "bench-linus", "bench-barbara", "bench-reader"];
  const users = [];
  for (const username of names) {
    const { user } = await expectOk(base, "POST", "/api/users", {
      body: { user: { username, email: `${username}@bench.local`, password: PASSWORD } },
    });
    users.push(user);
  }
  const authors = users.slice(0, 4);
  const reader = users[4];
  const slugs = [];
  for (let n = 1; n <= 30; n++) {
    const author = authors[n % authors.length];
    const { article } = await expectOk(base, "POST", "/api/articles", {
      token: author.token,
      body: {
        article: {
          title: `Notes from the edge, part ${n}`,
          description: `What we learned running part ${n} of the system close to readers, and what it cost.`,
          body: PARAGRAPH.repeat(12),
          tagList: [0, 1, 2].map((k) => TAGS[(n + k * 5) % TAGS.length]),
        },
      },
    });
    slugs.push(article.slug);
  }
  // The reader follows three of the four authors and favorites every third article.
  for (const author of authors.slice(0, 3)) {
    await expectOk(base, "POST", `/api/profiles/${author.username}/follow`, { token: reader.token });
  }
  for (const [i, slug] of slugs.entries()) {
    if (i % 3 === 0) await expectOk(base, "POST", `/api/articles/${slug}/favorite`, { token: reader.token });
    if (i % 4 === 0) await expectOk(base, "POST", `/api/articles/${slug}/favorite`, { token: authors[0].token });
  }
  const { user } = await expectOk(base, "POST", "/api/users/login", {
    body: { user: { email: reader.email, password: PASSWORD } },
  });
  return { token: user.token, readerEmail: reader.email, slug: slugs[slugs.length - 1], articles: slugs.length };
}

// --- load ------------------------------------------------------------------

// The CPU time of the workerd process (every thread: the Workers and the KV
// and D1 simulators), from /proc: what a request costs the runtime, which
// other load on the machine changes much less than it changes requests/s.
// Linux only; elsewhere the column is left empty.
const TICKS_PER_SECOND = 100;

function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return {
    name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
    fields: stat.slice(stat.lastIndexOf(")") + 2).split(" "),
  };
}

function runtimePids() {
  try {
    return readdirSync("/proc").filter((pid) => {
      if (!/^\d+$/.test(pid)) return false;
      try {
        const { name, fields } = statFields(pid);
        return name === "workerd" && Number(fields[1]) === process.pid;
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
}

function runtimeCpuMicros(pids) {
  if (!pids.length) return null;
  try {
    let ticks = 0;
    for (const pid of pids) {
      const { fields } = statFields(pid);
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return (ticks * 1e6) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

function loadOptions(target, duration) {
  return {
    url: target.url,
    method: target.method ?? "GET",
    headers: target.headers ?? {},
    ...(target.body === undefined ? {} : { body: JSON.stringify(target.body) }),
    connections: target.connections ?? CONNECTIONS,
    pipelining: 1,
    timeout: 10,
    duration,
  };
}

/**
 * Loads every target for DURATION seconds in all, in slices of about
 * SLICE_SECONDS taken in turn (round after round, each round starting at the
 * next target), so that a burst of other work on the machine falls on all of
 * them alike rather than on whichever ran at the time. In each slice the
 * throughput is counted from the first response to the last (not the ramp-up,
 * not the requests cut off at the end); latencies are every 2xx response's.
 * A target marked `whole` (one whose responses take about as long as a slice)
 * is measured in one run of DURATION seconds after the rounds.
 */
async function measureAll(targets) {
  for (const target of targets) {
    await autocannon(loadOptions(target, WARMUP_SECONDS));
    // What the warm-up left in flight finishes before anything is measured.
    await pause(500);
  }
  const rounds = Math.max(1, Math.round(DURATION / SLICE_SECONDS));
  const pids = runtimePids();
  const totals = targets.map(() => ({ latencies: [], responses: 0, seconds: 0, completed: 0, cpuMicros: 0, failed: [] }));
  async function run(index, seconds) {
    const total = totals[index];
    const times = [];
    const cpuBefore = runtimeCpuMicros(pids);
    const instance = autocannon(loadOptions(targets[index], seconds));
    instance.on("response", (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) {
        total.latencies.push(ms);
        times.push(performance.now());
      }
    });
    const result = await instance;
    const cpuAfter = runtimeCpuMicros(pids);
    if (result.non2xx + result.errors + result.timeouts > 0) {
      total.failed.push(`${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
    }
    if (times.length > 1) {
      total.responses += times.length - 1;
      total.seconds += (times[times.length - 1] - times[0]) / 1000;
    }
    total.completed += result.requests.total;
    total.cpuMicros =
      cpuBefore === null || cpuAfter === null || total.cpuMicros === null ? null : total.cpuMicros + cpuAfter - cpuBefore;
    // What a slice leaves in flight finishes before the next one starts.
    await pause(500);
  }
  const sliced = targets.map((_, index) => index).filter((index) => !targets[index].whole);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < sliced.length; k++) await run(sliced[(round + k) % sliced.length], DURATION / rounds);
  }
  // Targets slow enough that a slice holds few responses run in one piece.
  for (const [index, target] of targets.entries()) if (target.whole) await run(index, DURATION);
  return targets.map((target, index) => {
    const total = totals[index];
    if (total.failed.length || total.responses === 0) {
      throw new Error(
        `${target.label}: ${total.failed.join("; ") || "no response completed"} (${total.completed} requests completed)`,
      );
    }
    total.latencies.sort((a, b) => a - b);
    return {
      rps: Math.round(total.responses / total.seconds),
      p50_ms: Number(percentile(total.latencies, 50).toFixed(2)),
      p99_ms: Number(percentile(total.latencies, 99).toFixed(2)),
      connections: target.connections ?? CONNECTIONS,
      cpuUsPerRequest: total.cpuMicros === null ? null : total.cpuMicros / total.completed,
    };
  });
}

// Before a case is measured: what one request of it costs, as the app reports it.
async function check(base, name, request, expected) {
  let timing = null;
  // A cache miss stores the body after answering (waitUntil): ask until it is there.
  for (let attempt = 0; attempt < 20; attempt++) {
    const response = await call(base, request.method ?? "GET", request.path, {
      headers: request.headers,
      body: request.body,
    });
    if (response.status !== 200)
      throw new Error(`${name}: ${request.path} answered ${response.status}: ${response.text.slice(0, 300)}`);
    timing = serverTiming(response.headers);
    if (timing.cache === expected.cache) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const wrong =
    timing.cache !== expected.cache || (expected.d1 !== undefined && timing.d1 !== expected.d1)
      ? ` (expected cache=${expected.cache}${expected.d1 === undefined ? "" : `, d1=${expected.d1}`})`
      : "";
  log(`  ${name.padEnd(24)} Server-Timing: ${timing.raw}${wrong}`);
  if (wrong) throw new Error(`${name}: the app did not serve it as the case requires${wrong}`);
  return timing;
}

// --- scale -----------------------------------------------------------------

const FILLER = PARAGRAPH.repeat(4);

async function growArticles(db, target) {
  const have = (await db.prepare("SELECT count(*) AS n FROM articles").first("n")) ?? 0;
  const authors = (await db.prepare("SELECT id FROM users ORDER BY id").all()).results.map((row) => row.id);
  const started = performance.now();
  for (let done = have; done < target; ) {
    const chunk = Math.min(10_000, target - done);
    const firstNew = (await db.prepare("SELECT coalesce(max(id), 0) + 1 AS id FROM articles").first("id")) ?? 1;
    await db.batch([
      db
        .prepare(
          `INSERT INTO articles (slug, title, description, body, author_id, created_at, updated_at)
           WITH RECURSIVE seq(i) AS (SELECT CAST(?1 AS INTEGER) + 1 UNION ALL SELECT i + 1 FROM seq WHERE i < CAST(?1 + ?2 AS INTEGER))
           SELECT 'scale-article-' || i, 'Scale article ' || i,
                  'A generated article for the scale benchmark, number ' || i || '.',
                  'Generated article ' || i || ' about subject' || (i % CAST(?7 AS INTEGER)) || '. ' || ?3,
                  json_extract(?4, '$[' || (i % CAST(?5 AS INTEGER)) || ']'), CAST(?6 AS INTEGER) + i, CAST(?6 AS INTEGER) + i
           FROM seq`,
        )
        .bind(done, chunk, FILLER, JSON.stringify(authors), authors.length, Date.now(), SUBJECTS),
      db
        .prepare(
          `INSERT INTO article_tags (article_id, tag, position)
           SELECT id, ?2 || (id % 40), 0 FROM articles WHERE id >= CAST(?1 AS INTEGER)
           UNION ALL SELECT id, ?3 || (id % 7), 1 FROM articles WHERE id >= CAST(?1 AS INTEGER)`,
        )
        .bind(firstNew, "tag-", "topic-"),
    ]);
    done += chunk;
  }
  return performance.now() - started;
}

// What the scale section times at each size: the list's first page and two
// searches' (the articles are seeded by growArticles, which the triggers of
// the search migration index as they are inserted).
const SCALE_CASES = [
  { name: "list", path: "/api/articles", matches: (size) => size, samples: SCALE_SAMPLES },
  { name: "search", path: "/api/articles?search=subject7", matches: (size) => size / SUBJECTS, samples: SCALE_SAMPLES },
  { name: "search-broad", path: "/api/articles?search=generated", matches: (size) => size, samples: BROAD_SAMPLES },
];

// The sizes and the cases are timed in alternation, request by request, so
// that whatever else the machine is doing slows them all alike.
async function timeFirstPages(instances) {
  const headers = { "cache-control": "no-cache" };
  const timings = new Map();
  for (const pageCase of SCALE_CASES) {
    for (const instance of instances) {
      const response = await call(instance.base, "GET", pageCase.path, { headers });
      const page = JSON.parse(response.text);
      const timing = serverTiming(response.headers);
      const count = pageCase.matches(instance.size);
      if (response.status !== 200 || page.articlesCount !== count || page.articles?.length !== Math.min(20, count)) {
        throw new Error(
          `${pageCase.name} first page at ${instance.size}: expected ${Math.min(20, count)} of ${count} articles, got ${response.status} ${response.text.slice(0, 200)}`,
        );
      }
      if (timing.cache !== "bypass" || timing.d1 !== 1) {
        throw new Error(`${pageCase.name} first page: unexpected Server-Timing ${timing.raw}`);
      }
      timings.set(`${pageCase.name}@${instance.size}`, { client: [], d1: [] });
    }
  }
  for (let i = 0; i < SCALE_WARMUP + SCALE_SAMPLES; i++) {
    for (const pageCase of SCALE_CASES.filter((c) => i < SCALE_WARMUP + c.samples)) {
      for (const instance of i % 2 ? [...instances].reverse() : instances) {
        const started = performance.now();
        const response = await call(instance.base, "GET", pageCase.path, { headers });
        const elapsed = performance.now() - started;
        if (response.status !== 200)
          throw new Error(`${pageCase.name} first page at ${instance.size} answered ${response.status}`);
        if (i < SCALE_WARMUP) continue;
        const timing = timings.get(`${pageCase.name}@${instance.size}`);
        timing.client.push(elapsed);
        const { d1Ms } = serverTiming(response.headers);
        if (d1Ms !== null) timing.d1.push(d1Ms);
      }
    }
  }
  return SCALE_CASES.flatMap((pageCase) =>
    instances.map(({ size }) => {
      const { client, d1 } = timings.get(`${pageCase.name}@${size}`);
      client.sort((a, b) => a - b);
      d1.sort((a, b) => a - b);
      return {
        name: pageCase.name,
        path: pageCase.path,
        size,
        matches: pageCase.matches(size),
        samples: pageCase.samples,
        median: percentile(client, 50),
        p99: percentile(client, 99),
        d1Median: d1.length ? percentile(d1, 50) : null,
      };
    }),
  );
}

async function seedScaleInstance(mf, size) {
  const db = await mf.getD1Database("DB", `scale-${size}`);
  await migrate(db);
  await db
    .prepare(
      `INSERT INTO users (username, username_key, email, email_key, password_hash, bio, created_at, updated_at)
       WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 10)
       SELECT 'scale-author-' || i, 'scale-author-' || i, 'scale-author-' || i || '@bench.local',
              'scale-author-' || i || '@bench.local', 'not-a-password-hash', 'Writes generated articles.',
              CAST(?1 AS INTEGER), CAST(?1 AS INTEGER)
       FROM seq`,
    )
    .bind(Date.now())
    .run();
  const seedMs = await growArticles(db, size);
  return { size, base: await mf.unsafeGetDirectURL(`scale-${size}`), seedMs };
}

// --- report ----------------------------------------------------------------

const fmt = (n, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

const json = ({ rps, p50_ms, p99_ms }) => ({ rps, p50_ms, p99_ms });

function table(rows) {
  const header = ["case", "conns", "rps", "p50 ms", "p99 ms", "workerd CPU µs/req", "vs floor"];
  const body = rows.map((r) => [
    r.label,
    String(r.connections),
    fmt(r.rps),
    fmt(r.p50_ms, 1),
    fmt(r.p99_ms, 1),
    r.cpuUsPerRequest === null ? "" : fmt(r.cpuUsPerRequest),
    r.note ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const line = (cells) =>
    cells
      .map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

// --- main ------------------------------------------------------------------

const workDir = mkdtempSync(join(tmpdir(), "conduit-bench-"));
let mf = null;
let disposed = false;
const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });
async function cleanup() {
  if (disposed) return;
  disposed = true;
  try {
    await mf?.dispose();
  } finally {
    removeWorkDir();
  }
}
// On a signal, Miniflare's own handler stops workerd and exits the process at
// once; the temporary directory goes on the way out, whatever the way out is.
process.once("exit", removeWorkDir);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    log(`\n${signal}: stopping`);
    cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  });
}

async function main() {
  log(`bench: ${DURATION} s per case after ${WARMUP_SECONDS} s of warm-up, ${CONNECTIONS} connections, on ${HOST}`);
  log(`load average at start: ${loadLine()}`);
  log("building the deployable bundle (wrangler deploy --dry-run)...");
  const bundle = build(join(workDir, "build"));
  log(`  bundle: ${fmt(bundle.bytes)} bytes, ${fmt(bundle.gzipBytes)} gzipped`);

  log("starting workerd (Miniflare API, one direct socket per Worker)...");
  mf = startRuntime(join(workDir, "state"), bundle.code);
  await mf.ready;
  const app = await mf.unsafeGetDirectURL("conduit");
  const floor = await mf.unsafeGetDirectURL("floor");
  log(`  app ${app.origin}, floor ${floor.origin}`);

  const migrations = await migrate(await mf.getD1Database("DB", "conduit"));
  await seedFloor(mf);
  const seeded = await seedApp(app);
  log(`  ${migrations} migration(s) applied; seeded 5 users, ${seeded.articles} articles with tags, follows, favorites`);

  const results = { cases: {}, floor: {}, scale: {}, bundle_gzip_bytes: bundle.gzipBytes };
  const rows = [];

  log("\nfloor Worker:");
  const floorTargets = [];
  for (const route of ["ok", "kv", "d1"]) {
    const probe = await call(floor, "GET", `/${route}`);
    if (probe.status !== 200) throw new Error(`floor /${route} answered ${probe.status}`);
    log(`  /${route.padEnd(23)} ${fmt(probe.text.length)} bytes`);
    floorTargets.push({ label: `floor /${route}`, route, url: new URL(`/${route}`, floor).href });
  }

  const cases = [
    { name: "articles-anon-cached", path: "/api/articles", expect: { cache: "hit", d1: 0 }, floor: "kv" },
    {
      name: "articles-anon-uncached",
      path: "/api/articles",
      headers: { "cache-control": "no-cache" },
      expect: { cache: "bypass", d1: 1 },
      floor: "d1",
    },
    {
      name: "feed-auth",
      path: "/api/articles/feed",
      headers: { authorization: `Token ${seeded.token}` },
      expect: { cache: "bypass", d1: 1 },
    },
    { name: "article-anon", path: `/api/articles/${seeded.slug}`, expect: { cache: "hit", d1: 0 } },
    { name: "tags", path: "/api/tags", expect: { cache: "hit", d1: 0 } },
    {
      name: "login",
      method: "POST",
      path: "/api/users/login",
      headers: { "content-type": "application/json" },
      body: { user: { email: seeded.readerEmail, password: PASSWORD } },
      expect: { cache: "bypass", d1: 1 },
      // CPU-bound in one isolate (password hashing): more connections only
      // queue. Slow enough (about a second a response under load) to be
      // measured in one piece rather than in slices.
      connections: Math.min(CONNECTIONS, 4),
      whole: true,
    },
  ];

  log("\napp (each case checked once before it is measured):");
  for (const c of cases) await check(app, c.name, c, c.expect);
  const caseTargets = cases.map((c) => ({ ...c, label: c.name, url: new URL(c.path, app).href }));

  const targets = [...floorTargets, ...caseTargets];
  const rounds = Math.max(1, Math.round(DURATION / SLICE_SECONDS));
  log(
    `\nmeasuring ${targets.length} targets, ${DURATION} s each: ${WARMUP_SECONDS} s of warm-up each, then ${rounds} round(s) of ${fmt(DURATION / rounds, 1)} s per target (login: one run of ${DURATION} s)...`,
  );
  const measured = await measureAll(targets);
  for (const [index, target] of floorTargets.entries()) {
    results.floor[target.route] = json(measured[index]);
    rows.push({ label: target.label, ...measured[index] });
  }
  for (const [index, c] of cases.entries()) {
    const stats = measured[floorTargets.length + index];
    results.cases[c.name] = json(stats);
    const floorRps = c.floor ? results.floor[c.floor].rps : null;
    const note = floorRps ? `${fmt((100 * stats.rps) / floorRps)}% of /${c.floor}` : "";
    rows.push({ label: c.name, ...stats, note });
  }
  // The cached cases were hits all along: nothing measured in between (logins
  // included) invalidated them.
  for (const c of cases.filter((c) => c.expect.cache === "hit")) {
    const { headers } = await call(app, "GET", c.path, { headers: c.headers });
    const timing = serverTiming(headers);
    if (timing.cache !== "hit") throw new Error(`${c.name}: no longer a cache hit after measuring (${timing.raw})`);
  }

  log("\nscale (first pages of the list and of searches, uncached; one app instance per size, timed in alternation):");
  const instances = [];
  for (const size of SCALE_SIZES) {
    const instance = await seedScaleInstance(mf, size);
    log(`  seeded ${fmt(size)} articles in ${fmt(instance.seedMs / 1000, 1)} s`);
    instances.push(instance);
  }
  const scaleLines = [];
  // Keys added beside `scale` (the list's medians), which keeps its meaning.
  results.search_scale = {};
  results.search_broad_scale = {};
  const scaleKeys = { list: results.scale, search: results.search_scale, "search-broad": results.search_broad_scale };
  for (const timing of await timeFirstPages(instances)) {
    scaleKeys[timing.name][String(timing.size)] = Number(timing.median.toFixed(2));
    const what = timing.name === "list" ? "" : ` ${timing.path.slice(timing.path.indexOf("?"))} (${fmt(timing.matches)} matches)`;
    const line = `  ${timing.name.padEnd(12)} ${fmt(timing.size).padStart(7)} articles${what}: median ${timing.median.toFixed(2)} ms, p99 ${timing.p99.toFixed(2)} ms (D1 median ${timing.d1Median?.toFixed(2) ?? "?"} ms; ${timing.samples} sequential requests)`;
    log(line);
    scaleLines.push(line);
  }

  const cached = results.cases["articles-anon-cached"].rps / results.floor.kv.rps;
  const uncached = results.cases["articles-anon-uncached"].rps / results.floor.d1.rps;
  const growth = results.scale["100000"] / results.scale["1000"];
  const searchCost = results.search_scale["100000"] / results.scale["100000"];
  const goals = [
    ["cached anonymous list >= 80% of /kv floor rps", cached >= 0.8, `${fmt(cached * 100, 1)}%`],
    ["uncached anonymous list >= 50% of /d1 floor rps", uncached >= 0.5, `${fmt(uncached * 100, 1)}%`],
    ["first page at 100,000 within 1.5x of 1,000", growth <= 1.5, `${growth.toFixed(2)}x`],
    ["search first page at 100,000 within 3x of the list's", searchCost <= 3, `${searchCost.toFixed(2)}x`],
    ["bundle < 300 KiB gzipped", bundle.gzipBytes < 300 * 1024, `${fmt(bundle.gzipBytes / 1024, 1)} KiB`],
  ];

  log(`\n=== results (${DURATION} s per case, ${CONNECTIONS} connections) ===\n`);
  log(table(rows));
  log("\nfirst pages, uncached:");
  for (const line of scaleLines) log(line);
  log(`\nbundle: ${fmt(bundle.gzipBytes)} bytes gzipped (${fmt(bundle.bytes)} raw)`);
  const levels = Object.entries(workerLogs.levels)
    .map(([level, n]) => `${n} ${level}`)
    .join(", ");
  log(`Worker log lines: ${workerLogs.count}${levels ? ` (${levels})` : ""}`);
  for (const sample of workerLogs.samples) log(`  ${sample}`);
  log(`load average at end: ${loadLine()} (on ${cpus().length} cores; other load lowers rps more than CPU µs/req)`);
  log("\ntargets:");
  for (const [what, met, value] of goals) log(`  ${met ? "met    " : "NOT met"}  ${what}: ${value}`);

  if (JSON_PATH) {
    writeFileSync(JSON_PATH, `${JSON.stringify(results, null, 2)}\n`);
    log(`\nwrote ${JSON_PATH}`);
  }
}

try {
  await main();
} catch (error) {
  process.exitCode = 1;
  console.error(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await cleanup();
}
