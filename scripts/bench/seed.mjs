// Seeding the bench's databases with SQL: fast enough for 100,000 articles,
// and the migrations' triggers keep every counter, feed entry and the search
// index exact as rows arrive, as they do for the API's own writes.

export const PARAGRAPH =
  "Serving a publishing platform from the edge means every request is answered close to the reader, and most of what readers ask for is the same for all of them. ";

/** The name of the tag of popularity rank `rank` (0: the most used). */
export const tagName = (rank) => `tag-${rank}`;

/**
 * Inserts `rows` (arrays of values in `columns` order) into `table`, a few
 * thousand per statement: each chunk travels as one JSON parameter, unpacked
 * by json_each, so seeding costs a statement per chunk rather than per row.
 * Rows that would repeat a key are skipped (INSERT OR IGNORE).
 */
export async function insertRows(db, table, columns, rows, chunk = 5_000) {
  const values = columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ");
  const statement = db.prepare(`INSERT OR IGNORE INTO ${table} (${columns.join(", ")}) SELECT ${values} FROM json_each(?1)`);
  for (let from = 0; from < rows.length; from += chunk) {
    await statement.bind(JSON.stringify(rows.slice(from, from + chunk))).run();
  }
}

/** `count` users named `${prefix}1` … (no password anyone can log in with); their ids, in order. */
export async function insertUsers(db, prefix, count) {
  // One statement: the new ids follow the largest one before it.
  const before = (await db.prepare("SELECT coalesce(max(id), 0) AS id FROM users").first("id")) ?? 0;
  await db
    .prepare(
      `INSERT INTO users (username, username_key, email, email_key, password_hash, bio, created_at, updated_at)
       WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < CAST(?2 AS INTEGER))
       SELECT ?1 || i, ?1 || i, ?1 || i || '@bench.local', ?1 || i || '@bench.local', 'not-a-password-hash',
              'Writes for the benchmark.', CAST(?3 AS INTEGER), CAST(?3 AS INTEGER)
       FROM seq`,
    )
    .bind(prefix, count, Date.now())
    .run();
  return Array.from({ length: count }, (_, i) => before + 1 + i);
}
