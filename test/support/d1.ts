import type { Env } from "../../src/env";
import { testEnv } from "./api";

// Reading what the tests' own D1 holds (storage is isolated per test file).

/** The rows `sql` returns with these bound values. */
export async function rows<T = Record<string, any>>(sql: string, ...binds: unknown[]): Promise<T[]> {
  return (
    await testEnv.DB.prepare(sql)
      .bind(...binds)
      .all<T>()
  ).results;
}

/** The first row `sql` returns; a test that expects a row fails here, naming the query, when there is none. */
export async function one<T = Record<string, any>>(sql: string, ...binds: unknown[]): Promise<T> {
  const [row] = await rows<T>(sql, ...binds);
  if (!row) throw new Error(`no row for ${sql} ${JSON.stringify(binds)}`);
  return row;
}

/** The `n` of a `SELECT count(*) AS n …`; 0 when it returns no row. */
export async function count(sql: string, ...binds: unknown[]): Promise<number> {
  return (await rows<{ n: number }>(sql, ...binds))[0]?.n ?? 0;
}

// A stand-in for the D1 binding that forwards to the real local database and
// counts round trips: every statement run on its own is one, a `batch` is one.
// It can also make a chosen round trip fail, the way D1 does when it is down.

export type D1Probe = {
  /** The test env with DB replaced by the probe. */
  env: Env;
  /** Round trips since the last reset, each with the SQL it carried. */
  readonly trips: string[][];
  reset(): void;
};

export type ProbeOptions = {
  /** Make round trip number N (1-based, counted since the last reset) throw. */
  failTrip?: number;
  /** Make round trip number N never answer. */
  hangTrip?: number;
  /** The error a failing round trip throws. */
  error?: () => Error;
  /**
   * If round trip N is a batch, append a statement that SQLite itself rejects,
   * so the batch fails inside D1's transaction and what it did must roll back.
   */
  poisonTrip?: number;
};

export const d1Outage = () => new Error("D1_ERROR: Network connection lost.");

export function probeD1(options: ProbeOptions = {}, base: D1Database = testEnv.DB): D1Probe {
  const trips: string[][] = [];
  // The probe's statements stand in for the real ones; batch needs the real ones back.
  const realOf = new WeakMap<object, D1PreparedStatement>();

  async function roundTrip<T>(sql: string[], run: () => Promise<T>): Promise<T> {
    trips.push(sql);
    if (options.failTrip === trips.length) throw (options.error ?? d1Outage)();
    if (options.hangTrip === trips.length) return new Promise<never>(() => {});
    return run();
  }

  function wrap(statement: D1PreparedStatement, sql: string): D1PreparedStatement {
    const probe = {
      bind: (...values: unknown[]) => wrap(statement.bind(...values), sql),
      first: (column?: string) => roundTrip([sql], () => (column === undefined ? statement.first() : statement.first(column))),
      all: () => roundTrip([sql], () => statement.all()),
      run: () => roundTrip([sql], () => statement.run()),
      raw: (rawOptions?: { columnNames?: boolean }) =>
        roundTrip([sql], () => statement.raw(rawOptions as { columnNames: true }) as Promise<unknown[]>),
    };
    realOf.set(probe, statement);
    return probe as unknown as D1PreparedStatement;
  }

  const db = {
    prepare: (sql: string) => wrap(base.prepare(sql), sql),
    batch: (statements: D1PreparedStatement[]) =>
      roundTrip(
        statements.map(() => "(batched)"),
        () => {
          const real = statements.map((s) => realOf.get(s) ?? s);
          // NOT NULL constraint failure: a real error raised by SQLite mid-transaction.
          if (options.poisonTrip === trips.length) real.push(base.prepare("INSERT INTO users (username) VALUES (NULL)"));
          return base.batch(real);
        },
      ),
    exec: (sql: string) => roundTrip([sql], () => base.exec(sql)),
    dump: () => base.dump(),
    // The app opens a session per request; the probe is its own session.
    withSession: () => ({ prepare: db.prepare, batch: db.batch, getBookmark: () => null }),
  };

  return {
    env: { ...testEnv, DB: db as unknown as D1Database },
    trips,
    reset: () => {
      trips.length = 0;
    },
  };
}
