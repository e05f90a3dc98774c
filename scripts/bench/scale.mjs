// The scale cases of `npm run bench`: the same uncached reads on a database
// of 1,000 and of 100,000 articles, timed in alternation, with the rows each
// read (Server-Timing `rows`). One case a row of SCALE_CASES: its path, how
// it is asked (anonymous with `Cache-Control: no-cache`, or signed in), what a
// right answer looks like, and which target applies.

import { call, expectOk, serverTiming } from "./http.mjs";
import { randomFrom, zipf } from "./random.mjs";
import { insertRows, insertUsers, PARAGRAPH, tagName } from "./seed.mjs";

export const SCALE_SIZES = [1_000, 100_000];
/** Users at every size: authors of the articles in turn; the feed reader follows FOLLOWED of them. */
const USERS = 2_000;
const TAGS = 200;
const FOLLOWED = 500;
/** The heavy user favorites every HEAVY_EVERY-th article. */
const HEAVY_EVERY = 4;
const HEAVY = "scale-heavy-1";
const FEED_READER = "scale-feed-reader";
const PASSWORD = "bench-password-0123";
// Every scale article's body names one of this many subjects, so a search for one subject matches 1% of them.
export const SUBJECTS = 100;
const SAMPLES = 200;
const WARMUP = 20;
/** The cases BENCH_JSON has under `scale_cases` (the searches keep keys of their own). */
export const SCALE_CASE_NAMES = [
  "first-page",
  "top-tag",
  "favorited-by",
  "offset-10000",
  "cursor-10000",
  "feed-500",
  "atom-feed",
];
// A search matching every article ranks all of them: slower, so fewer samples.
const BROAD_SAMPLES = 50;
/** The page target: at 100,000 articles within this factor of 1,000, and at most PAGE_ROWS rows read. */
export const PAGE_GROWTH = 1.5;
export const PAGE_ROWS = 200;

const FILLER = PARAGRAPH.repeat(4);

/** A JSON page of `length` articles of `count` in all. */
const page = (count, length = Math.min(20, count)) => ({
  describe: `${length} of ${count} articles`,
  valid: (response) => {
    const body = JSON.parse(response.text);
    return body.articlesCount === count && body.articles?.length === length;
  },
});
/** Where cursor-10000 starts: 10,000 articles in, or (a smaller list) the last full page. */
const CURSOR_DEPTH = 10_000;
const cursorDepth = (size) => Math.min(CURSOR_DEPTH, size - 20);

/**
 * The URL of the page that starts `cursorDepth` articles in, by cursor: the
 * `rel="next"` link of the page before it (asked for once, not timed). A
 * cursor is signed and names an article, so it is taken from the app.
 */
async function cursorAt(s) {
  const depth = cursorDepth(s.size);
  const response = await call(s.base, "GET", `/api/articles?offset=${depth - 20}&limit=20`, {
    headers: { "cache-control": "no-cache" },
  });
  const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
  if (response.status !== 200 || !next) {
    throw new Error(`cursor-10000 at ${s.size}: no rel="next" link at offset ${depth - 20} (${response.status})`);
  }
  const url = new URL(next);
  return `${url.pathname}${url.search}`;
}

/**
 * The cases. `path` and `expect` are given the seeded instance ({ size,
 * topTag, heavyFavorites, feedCount, token, … }); `path` may be async (it is
 * resolved once per instance before timing). `signedIn` cases send the feed
 * reader's token; the others are anonymous with `Cache-Control: no-cache`.
 * `target`: "page" (PAGE_GROWTH and PAGE_ROWS), "cursor" (PAGE_ROWS, and
 * within PAGE_GROWTH of first-page at the larger size), "search" (the search
 * target, in bench.mjs), or null with `excepted` saying why. `key`: the BENCH_JSON key
 * that also holds the case's medians, from before `scale_cases`.
 */
export const SCALE_CASES = [
  { name: "first-page", key: "scale", path: () => "/api/articles", expect: (s) => page(s.size), target: "page" },
  {
    name: "top-tag",
    path: (s) => `/api/articles?tag=${s.topTag.tag}`,
    expect: (s) => page(s.topTag.count),
    target: "page",
  },
  {
    name: "favorited-by",
    path: () => `/api/articles?favorited=${HEAVY}`,
    expect: (s) => page(s.heavyFavorites),
    target: "page",
  },
  {
    name: "offset-10000",
    path: () => "/api/articles?offset=10000",
    expect: (s) => page(s.size, Math.max(0, Math.min(20, s.size - 10_000))),
    target: null,
    excepted: "an SQL OFFSET reads the rows it skips; deep pages are what cursors are for",
  },
  {
    name: "cursor-10000",
    path: cursorAt,
    expect: (s) => page(s.size, Math.min(20, s.size - cursorDepth(s.size))),
    target: "cursor",
  },
  {
    name: "feed-500",
    path: () => "/api/articles/feed",
    signedIn: true,
    expect: (s) => page(s.feedCount),
    target: "page",
  },
  {
    name: "atom-feed",
    key: "feed_scale",
    path: () => "/api/articles.atom",
    expect: (s) => ({
      describe: `an Atom feed of ${Math.min(20, s.size)} entries`,
      valid: (response) => (response.text.match(/<entry>/g) ?? []).length === Math.min(20, s.size),
    }),
    target: "page",
  },
  {
    name: "search",
    key: "search_scale",
    path: () => "/api/articles?search=subject7",
    expect: (s) => page(s.size / SUBJECTS),
    target: "search",
  },
  {
    name: "search-broad",
    key: "search_broad_scale",
    path: () => "/api/articles?search=generated",
    expect: (s) => page(s.size),
    target: null,
    excepted: "a search matching every article ranks every match (bm25): the most a search costs",
    samples: BROAD_SAMPLES,
  },
];

/**
 * 1,000 or 100,000 articles by USERS authors in turn, each with two tags
 * drawn from TAGS by Zipf (the same tag twice gives one), a subject word for
 * the searches; the heavy user's favorites; and the feed reader (registered
 * through the API, for a token) following FOLLOWED authors.
 */
export async function seedScaleInstance(db, base, size) {
  const started = performance.now();
  const authors = await insertUsers(db, "scale-author-", USERS);
  const [heavyId] = await insertUsers(db, HEAVY.slice(0, -1), 1);
  const random = randomFrom(size);
  const tagOf = zipf(TAGS, random);
  for (let done = 0; done < size; ) {
    const chunk = Math.min(10_000, size - done);
    const firstNew = (await db.prepare("SELECT coalesce(max(id), 0) + 1 AS id FROM articles").first("id")) ?? 1;
    await db
      .prepare(
        `INSERT INTO articles (slug, title, description, body, author_id, created_at, updated_at)
         WITH RECURSIVE seq(i) AS (SELECT CAST(?1 AS INTEGER) + 1 UNION ALL SELECT i + 1 FROM seq WHERE i < CAST(?1 + ?2 AS INTEGER))
         SELECT 'scale-article-' || i, 'Scale article ' || i,
                'A generated article for the scale benchmark, number ' || i || '.',
                'Generated article ' || i || ' about subject' || (i % CAST(?6 AS INTEGER)) || '. ' || ?3,
                CAST(?4 AS INTEGER) + (i % CAST(?5 AS INTEGER)), CAST(?7 AS INTEGER) + i, CAST(?7 AS INTEGER) + i
         FROM seq`,
      )
      .bind(done, chunk, FILLER, authors[0], authors.length, SUBJECTS, Date.now())
      .run();
    const rows = [];
    for (let id = firstNew; id < firstNew + chunk; id++) {
      rows.push([id, tagName(tagOf()), 0], [id, tagName(tagOf()), 1]);
    }
    await insertRows(db, "article_tags", ["article_id", "tag", "position"], rows);
    done += chunk;
  }
  await db
    .prepare("INSERT INTO favorites (user_id, article_id) SELECT ?1, id FROM articles WHERE id % ?2 = 0")
    .bind(heavyId, HEAVY_EVERY)
    .run();
  const { user } = await expectOk(base, "POST", "/api/users", {
    body: { user: { username: FEED_READER, email: `${FEED_READER}@bench.local`, password: PASSWORD } },
  });
  const reader = await db.prepare("SELECT id FROM users WHERE username_key = ?1").bind(FEED_READER).first("id");
  await db
    .prepare("INSERT INTO follows (follower_id, followee_id) SELECT ?1, id FROM users WHERE id BETWEEN ?2 AND ?3")
    .bind(reader, authors[0], authors[FOLLOWED - 1])
    .run();
  const topTag = await db
    .prepare("SELECT tag, articles_count AS count FROM tags ORDER BY articles_count DESC, tag LIMIT 1")
    .first();
  const count = (sql, ...values) =>
    db
      .prepare(sql)
      .bind(...values)
      .first("n");
  return {
    size,
    base,
    token: user.token,
    topTag,
    heavyFavorites: await count("SELECT count(*) AS n FROM favorites WHERE user_id = ?1", heavyId),
    feedCount: await count(
      "SELECT count(*) AS n FROM articles WHERE author_id IN (SELECT followee_id FROM follows WHERE follower_id = ?1)",
      reader,
    ),
    seedMs: performance.now() - started,
  };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const sortedNumbers = (values) => [...values].sort((a, b) => a - b);

/**
 * Times every case at every size, request by request in alternation (so
 * whatever else the machine is doing slows them all alike), after checking
 * each once: the right answer, uncached, in one D1 round trip.
 */
export async function timeScaleCases(instances, cases = SCALE_CASES) {
  const requests = new Map();
  const samples = new Map();
  const id = (scaleCase, instance) => `${scaleCase.name}@${instance.size}`;
  for (const scaleCase of cases) {
    for (const instance of instances) {
      const path = await scaleCase.path(instance);
      const request = scaleCase.signedIn ? { token: instance.token } : { headers: { "cache-control": "no-cache" } };
      requests.set(id(scaleCase, instance), { path, ...request });
      const response = await call(instance.base, "GET", path, request);
      const expected = scaleCase.expect(instance);
      if (response.status !== 200 || !expected.valid(response)) {
        throw new Error(
          `${scaleCase.name} at ${instance.size}: expected ${expected.describe}, got ${response.status} ${response.text.slice(0, 200)}`,
        );
      }
      const timing = serverTiming(response.headers);
      if (timing.cache !== "bypass" || timing.d1 !== 1) {
        throw new Error(`${scaleCase.name} at ${instance.size}: unexpected Server-Timing ${timing.raw}`);
      }
      samples.set(id(scaleCase, instance), { client: [], d1: [], rows: [] });
    }
  }
  const most = Math.max(...cases.map((scaleCase) => scaleCase.samples ?? SAMPLES));
  for (let i = 0; i < WARMUP + most; i++) {
    for (const scaleCase of cases.filter((c) => i < WARMUP + (c.samples ?? SAMPLES))) {
      for (const instance of i % 2 ? [...instances].reverse() : instances) {
        const { path, ...request } = requests.get(id(scaleCase, instance));
        const started = performance.now();
        const response = await call(instance.base, "GET", path, request);
        const elapsed = performance.now() - started;
        if (response.status !== 200) throw new Error(`${scaleCase.name} at ${instance.size} answered ${response.status}`);
        if (i < WARMUP) continue;
        const sample = samples.get(id(scaleCase, instance));
        const timing = serverTiming(response.headers);
        sample.client.push(elapsed);
        if (timing.d1Ms !== null) sample.d1.push(timing.d1Ms);
        if (timing.rows !== null) sample.rows.push(timing.rows);
      }
    }
  }
  return cases.flatMap((scaleCase) =>
    instances.map((instance) => {
      const sample = samples.get(id(scaleCase, instance));
      const client = sortedNumbers(sample.client);
      const d1 = sortedNumbers(sample.d1);
      const rows = sortedNumbers(sample.rows);
      return {
        name: scaleCase.name,
        path: requests.get(id(scaleCase, instance)).path,
        size: instance.size,
        samples: client.length,
        median: percentile(client, 50),
        p99: percentile(client, 99),
        d1Median: d1.length ? percentile(d1, 50) : null,
        rows: rows.length ? percentile(rows, 50) : null,
      };
    }),
  );
}
