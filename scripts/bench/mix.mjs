// The mixed workload of `npm run bench`: a closed loop of CLIENTS clients on
// the built app behind bench/front.js (ISOLATES front Workers on one database
// and one KV namespace, every KV write through the gate that refuses a second
// write to a key within a second, as production's KV does), mostly anonymous
// reads of what readers ask for most, some signed-in feed reads, and a share W
// of writes by many signed-in users. One fresh instance per W, so every run
// starts from the same database and an empty cache.

import { call, serverTiming } from "./http.mjs";
import { below, randomFrom, zipf } from "./random.mjs";
import { insertRows, insertUsers, PARAGRAPH, tagName } from "./seed.mjs";

/** The write shares W, or BENCH_MIX_SHARES (comma-separated fractions, for quick runs). */
export const MIX_SHARES = process.env.BENCH_MIX_SHARES
  ? process.env.BENCH_MIX_SHARES.split(",").map((part) => {
      const share = Number(part.trim());
      if (!(share >= 0 && share < 0.96)) throw new Error(`BENCH_MIX_SHARES: ${JSON.stringify(part)} is not a share below 0.96`);
      return share;
    })
  : [0.01, 0.04, 0.08];
export const ISOLATES = 3;
export const CLIENTS = 16;
const ARTICLES = 2_000;
const TAGS = 200;
const AUTHORS = 300;
/** Users who only read and write (favorite, comment, publish), besides the authors. */
const READERS = 700;
/** Each user follows this many authors (Zipf-popular ones), for the feed. */
const FOLLOWS = 20;
/** Comments seeded in all, on Zipf-popular articles. */
const COMMENTS = 4_000;
const FEED_SHARE = 0.04;
/** What a write is: favorites 70%, comments 20%, new articles 10%. */
const WRITES = [
  ["favorite", 0.7],
  ["comment", 0.2],
  ["article", 0.1],
];
/** What an anonymous read asks for, by share of the anonymous reads. */
const READS = [
  ["page 1", 0.2],
  ["tag page", 0.15],
  ["author page", 0.1],
  ["article", 0.25],
  ["comments", 0.15],
  ["profile", 0.1],
  ["tags", 0.05],
];
/** One write in STALENESS_EVERY is followed by anonymous reads until they show it, at most STALENESS_PROBES at a time. */
const STALENESS_EVERY = 3;
const STALENESS_PROBES = 4;
const STALENESS_POLL_MS = 25;
const STALENESS_TIMEOUT_MS = 15_000;
/** After the loop: time for folded and retried stamps to reach KV before the gate's log is read. */
const SETTLE_MS = 4_000;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const median = (values) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The mix's shape and parameters, as printed. */
export function describeMix(seconds) {
  const pct = (share) => `${Math.round(share * 100)}%`;
  return [
    `closed loop: ${CLIENTS} clients, each sending its next request when the last is answered, for ${seconds} s per W; a request goes to one of ${ISOLATES} front isolates at random (one D1, one KV, KV writes through a gate refusing a 2nd put to a key within 1 s)`,
    `data: ${ARTICLES} articles by ${AUTHORS} authors, 2 tags each of ${TAGS} (Zipf), ${COMMENTS} comments; ${AUTHORS + READERS} users, each following ${FOLLOWS} Zipf-popular authors; a fresh instance and an empty cache per W`,
    `requests: W writes by random signed-in users (${WRITES.map(([what, share]) => `${what} ${pct(share)}`).join(", ")}), ${pct(FEED_SHARE)} signed-in feed reads, the rest anonymous reads (${READS.map(([what, share]) => `${what} ${pct(share)}`).join(", ")}; articles, tags and authors Zipf-popular)`,
    `staleness: after 1 write in ${STALENESS_EVERY} (at most ${STALENESS_PROBES} followed at once), anonymous reads every ${STALENESS_POLL_MS} ms at random isolates until one shows it (favoritesCount, the comment, the article on page 1); not counted in the ratios`,
  ];
}

/**
 * The instance of one W: the authors, readers, articles, tags, comments,
 * favorites and follows, with SQL (the triggers keep the counters and feed
 * entries). Returns what the loop draws from.
 */
export async function seedMix(db) {
  const random = randomFrom(42);
  const authors = await insertUsers(db, "mix-author-", AUTHORS);
  const readers = await insertUsers(db, "mix-reader-", READERS);
  const tagOf = zipf(TAGS, random);
  const authorRank = zipf(AUTHORS, random);
  const now = Date.now() - ARTICLES * 1000;
  const articles = [];
  for (let i = 1; i <= ARTICLES; i++) {
    articles.push([
      `mix-article-${i}`,
      `Mix article ${i}`,
      `An article of the mixed workload, number ${i}.`,
      `Article ${i}. ${PARAGRAPH.repeat(4)}`,
      authors[authorRank()],
      now + i * 1000,
      now + i * 1000,
    ]);
  }
  await insertRows(db, "articles", ["slug", "title", "description", "body", "author_id", "created_at", "updated_at"], articles);
  const ids = (await db.prepare("SELECT id, slug FROM articles ORDER BY id").all()).results;
  const tagRows = ids.flatMap(({ id }) => [
    [id, tagName(tagOf()), 0],
    [id, tagName(tagOf()), 1],
  ]);
  await insertRows(db, "article_tags", ["article_id", "tag", "position"], tagRows);
  const users = [...authors, ...readers];
  const articleRank = zipf(ids.length, random);
  const comments = Array.from({ length: COMMENTS }, (_, i) => [
    ids[articleRank()].id,
    users[below(users.length, random)],
    `A seeded comment, number ${i}.`,
    now,
    now,
  ]);
  await insertRows(db, "comments", ["article_id", "author_id", "body", "created_at", "updated_at"], comments);
  const favorites = Array.from({ length: 5_000 }, () => [users[below(users.length, random)], ids[articleRank()].id]);
  await insertRows(db, "favorites", ["user_id", "article_id"], favorites);
  const follows = users.flatMap((user) =>
    Array.from({ length: FOLLOWS }, () => [user, authors[authorRank()]]).filter(([a, b]) => a !== b),
  );
  await insertRows(db, "follows", ["follower_id", "followee_id"], follows);
  const favorited = new Set(
    (await db.prepare("SELECT user_id || ':' || article_id AS pair FROM favorites").all()).results.map((row) => row.pair),
  );
  return {
    users,
    authorNames: Array.from({ length: AUTHORS }, (_, i) => `mix-author-${i + 1}`),
    articles: ids,
    favorited,
    counts: {
      articles: ids.length,
      comments: COMMENTS,
      favorites: favorited.size,
      follows: await db.prepare("SELECT count(*) AS n FROM follows").first("n"),
      feedEntries: await db.prepare("SELECT count(*) AS n FROM feed_entries").first("n"),
    },
  };
}

function pick(table, random) {
  let u = random();
  for (const [what, share] of table) {
    if (u < share) return what;
    u -= share;
  }
  return table.at(-1)[0];
}

/**
 * Runs the loop for `seconds` against `fronts` (base URLs) with write share
 * `share`, then reads the gate's log. `seeded` is what seedMix returned.
 */
export async function runMix(fronts, seeded, share, seconds) {
  const random = randomFrom(Math.round(share * 1000) + 7);
  const articleRank = zipf(seeded.articles.length, random);
  const tagRank = zipf(TAGS, random);
  const authorRank = zipf(AUTHORS, random);
  const front = () => fronts[below(fronts.length, random)];
  const tokens = new Map();
  async function tokenOf(user) {
    let token = tokens.get(user);
    if (!token) {
      const response = await call(fronts[0], "GET", `/__bench/token?user=${user}`);
      if (response.status !== 200) throw new Error(`no token for user ${user}: ${response.status} ${response.text}`);
      token = JSON.parse(response.text).token;
      tokens.set(user, token);
    }
    return token;
  }
  const randomUser = () => seeded.users[below(seeded.users.length, random)];

  const answered = new Set();
  const stats = {
    requests: 0,
    errors: 0,
    errorSamples: new Set(),
    anonymous: 0,
    hits: 0,
    firstMisses: 0,
    invalidationMisses: 0,
    d1Trips: 0,
    rowsRead: 0,
    writes: { favorite: 0, comment: 0, article: 0 },
    feeds: 0,
    /** Latencies by kind of request (a write's kind, "feed", or the anonymous read's kind). */
    latencies: {},
    /** D1 ms (Server-Timing) of the requests that used D1, by kind. */
    d1Ms: {},
  };
  const staleness = { samples: [], timeouts: 0, probes: 0, inFlight: 0, started: 0 };
  const probes = [];

  function record(response, kind, since, anonymousPath) {
    stats.requests += 1;
    const timing = serverTiming(response.headers);
    stats.latencies[kind] ??= [];
    stats.latencies[kind].push(performance.now() - since);
    stats.d1Ms[kind] ??= [];
    if (timing.d1Ms) stats.d1Ms[kind].push(timing.d1Ms);
    stats.d1Trips += timing.d1 ?? 0;
    stats.rowsRead += timing.rows ?? 0;
    if (response.status < 200 || response.status > 299) {
      stats.errors += 1;
      if (stats.errorSamples.size < 5) stats.errorSamples.add(`${response.status} ${response.text.slice(0, 160)}`);
      return;
    }
    if (anonymousPath === undefined) return;
    stats.anonymous += 1;
    if (timing.cache === "hit") stats.hits += 1;
    else if (answered.has(anonymousPath)) stats.invalidationMisses += 1;
    else stats.firstMisses += 1;
    answered.add(anonymousPath);
  }

  /** Anonymous reads of `path` at random isolates until `shows(body)`: how long after `since` that took. */
  function follow(path, shows, since) {
    staleness.probes += 1;
    staleness.inFlight += 1;
    const probe = (async () => {
      try {
        while (performance.now() - since < STALENESS_TIMEOUT_MS) {
          const response = await call(front(), "GET", path);
          if (response.status === 200 && shows(JSON.parse(response.text))) {
            staleness.samples.push(performance.now() - since);
            return;
          }
          await sleep(STALENESS_POLL_MS);
        }
        staleness.timeouts += 1;
      } finally {
        staleness.inFlight -= 1;
      }
    })();
    probes.push(probe);
  }
  const sampled = () => {
    staleness.started += 1;
    return staleness.started % STALENESS_EVERY === 0 && staleness.inFlight < STALENESS_PROBES;
  };

  async function write() {
    const kind = pick(WRITES, random);
    const user = randomUser();
    const token = await tokenOf(user);
    stats.writes[kind] += 1;
    if (kind === "favorite") {
      // Favorites only (never unfavorite): a count that only grows, which a reader's answer shows or not.
      let article = seeded.articles[articleRank()];
      for (let tries = 0; tries < 5 && seeded.favorited.has(`${user}:${article.id}`); tries++) {
        article = seeded.articles[articleRank()];
      }
      seeded.favorited.add(`${user}:${article.id}`);
      const since = performance.now();
      const response = await call(front(), "POST", `/api/articles/${article.slug}/favorite`, { token });
      record(response, "favorite", since);
      if (response.status === 200 && sampled()) {
        const count = JSON.parse(response.text).article.favoritesCount;
        follow(`/api/articles/${article.slug}`, (body) => body.article.favoritesCount >= count, performance.now());
      }
    } else if (kind === "comment") {
      const article = seeded.articles[articleRank()];
      const since = performance.now();
      const response = await call(front(), "POST", `/api/articles/${article.slug}/comments`, {
        token,
        body: { comment: { body: `A comment of the mix, by user ${user}.` } },
      });
      record(response, "comment", since);
      if (response.status === 200 && sampled()) {
        const id = JSON.parse(response.text).comment.id;
        follow(`/api/articles/${article.slug}/comments`, (body) => body.comments.some((c) => c.id === id), performance.now());
      }
    } else {
      const n = stats.writes.article;
      const since = performance.now();
      const response = await call(front(), "POST", "/api/articles", {
        token,
        body: {
          article: {
            title: `A new article of the mix, ${share} ${n} ${below(1e9, random)}`,
            description: "Written while the mix runs.",
            body: PARAGRAPH.repeat(4),
            tagList: [tagName(tagRank()), tagName(tagRank())],
          },
        },
      });
      record(response, "article", since);
      if (response.status === 200 && sampled()) {
        const slug = JSON.parse(response.text).article.slug;
        follow("/api/articles", (body) => body.articles.some((a) => a.slug === slug), performance.now());
      }
    }
  }

  function anonymousPath(what) {
    if (what === "page 1") return "/api/articles";
    if (what === "tag page") return `/api/articles?tag=${tagName(tagRank())}`;
    if (what === "author page") return `/api/articles?author=${seeded.authorNames[authorRank()]}`;
    if (what === "article") return `/api/articles/${seeded.articles[articleRank()].slug}`;
    if (what === "comments") return `/api/articles/${seeded.articles[articleRank()].slug}/comments`;
    if (what === "profile") return `/api/profiles/${seeded.authorNames[authorRank()]}`;
    return "/api/tags";
  }

  async function step() {
    const u = random();
    if (u < share) return write();
    if (u < share + FEED_SHARE) {
      stats.feeds += 1;
      const token = await tokenOf(randomUser());
      const since = performance.now();
      return record(await call(front(), "GET", "/api/articles/feed", { token }), "feed", since);
    }
    const what = pick(READS, random);
    const path = anonymousPath(what);
    const since = performance.now();
    record(await call(front(), "GET", path), what, since, path);
  }

  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) await step();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(probes);
  await sleep(SETTLE_MS);
  const gate = JSON.parse((await call(fronts[0], "GET", "/__bench/kv")).text);
  const sorted = [...staleness.samples].sort((a, b) => a - b);
  const per1000 = (n) => Math.round((1000 * n) / stats.requests);
  const ratio = (n) => Number((n / stats.anonymous).toFixed(4));
  return {
    result: {
      hit_ratio: ratio(stats.hits),
      first_miss_ratio: ratio(stats.firstMisses),
      invalidation_miss_ratio: ratio(stats.invalidationMisses),
      d1_trips_per_1000: per1000(stats.d1Trips),
      rows_read_per_1000: per1000(stats.rowsRead),
      hottest_kv_key_writes_per_s: gate.hottest ? Number((gate.hottest.attempts / elapsed).toFixed(2)) : 0,
      invalidations_refused: gate.stampsRefused,
      invalidations_lost: gate.stampsLost,
      // Of those, the ones no later accepted stamp of the key, at least as new in D1's history, covers.
      invalidations_lost_not_superseded: gate.stampsUncovered,
      staleness_p99_ms: sorted.length ? Math.round(percentile(sorted, 99)) : null,
      requests: stats.requests,
      rps: Math.round(stats.requests / elapsed),
      errors: stats.errors,
      staleness_samples: sorted.length,
      staleness_timeouts: staleness.timeouts,
    },
    detail: {
      stats,
      gate,
      staleness: {
        p50: sorted.length ? Math.round(percentile(sorted, 50)) : null,
        max: sorted.length ? Math.round(sorted.at(-1)) : null,
      },
      elapsed,
      /** Median ms by kind of request. */
      medians: Object.fromEntries(
        Object.entries(stats.latencies).map(([kind, list]) => [
          kind,
          { ms: median(list), d1Ms: stats.d1Ms[kind].length ? median(stats.d1Ms[kind]) : null },
        ]),
      ),
    },
  };
}
