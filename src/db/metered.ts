import { withDeadline } from "../deadline";

// Counts and times the D1 round trips of one request, and the rows they read
// (D1's own `meta.rows_read`: what D1 bills and throttles), for the
// Server-Timing header: a statement run on its own is one round trip, a batch
// is one.

export type D1Meter = { trips: number; ms: number; rowsRead: number };

/** What a request talks to: a D1 session (or the plain binding in tests). */
export type D1Client = Pick<D1Database, "prepare" | "batch">;

const rowsReadOf = (result: D1Result) => result.meta?.rows_read ?? 0;

type RoundTrip = <T>(run: () => Promise<T>) => Promise<T>;

/** A statement whose every execution is a metered round trip. */
class MeteredStatement implements D1PreparedStatement {
  constructor(
    readonly real: D1PreparedStatement,
    private readonly roundTrip: RoundTrip,
    private readonly counted: <R extends D1Result>(result: R) => R,
  ) {}

  bind(...values: unknown[]): D1PreparedStatement {
    return new MeteredStatement(this.real.bind(...values), this.roundTrip, this.counted);
  }

  first<T = unknown>(colName: string): Promise<T | null>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  first<T>(colName?: string): Promise<T | null> {
    return this.roundTrip(() => (colName === undefined ? this.real.first<T>() : this.real.first<T>(colName)));
  }

  run<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    return this.roundTrip(() => this.real.run<T>().then(this.counted));
  }

  all<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    return this.roundTrip(() => this.real.all<T>().then(this.counted));
  }

  // D1's raw() reports no meta, so rows come from all(), turned into the arrays
  // raw() gives. (Columns of one name would collapse; drizzle's batches have
  // the same rule, which is why computed columns are aliased.)
  raw<T = unknown[]>(options: { columnNames: true }): Promise<[string[], ...T[]]>;
  raw<T = unknown[]>(options?: { columnNames?: false }): Promise<T[]>;
  raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<[string[], ...T[]] | T[]> {
    return this.roundTrip(async () => {
      const { results } = this.counted(await this.real.all<Record<string, unknown>>());
      // A row's values in column order are what raw() calls a row; T is the caller's name for that tuple.
      const rows = results.map((row) => Object.values(row) as T);
      return options?.columnNames ? [Object.keys(results[0] ?? {}), ...rows] : rows;
    });
  }
}

/**
 * Wraps a D1 client so that its round trips are counted and timed, and a round
 * trip that takes longer than `timeoutMs` fails (as a D1 error, so a 503)
 * instead of holding the request until the platform cuts it off.
 */
export function meterD1(client: D1Client, timeoutMs: number): { db: D1Client; meter: D1Meter } {
  const meter: D1Meter = { trips: 0, ms: 0, rowsRead: 0 };

  const roundTrip: RoundTrip = async (run) => {
    meter.trips += 1;
    const started = performance.now();
    try {
      return await withDeadline(run(), timeoutMs, () => new Error(`D1_TIMEOUT: no answer within ${timeoutMs} ms`));
    } finally {
      meter.ms += performance.now() - started;
    }
  };

  const counted = <R extends D1Result>(result: R): R => {
    meter.rowsRead += rowsReadOf(result);
    return result;
  };

  const db: D1Client = {
    prepare: (sql) => new MeteredStatement(client.prepare(sql), roundTrip, counted),
    // batch() must be handed the statements the client made, not our wrappers.
    batch: <T>(statements: D1PreparedStatement[]) =>
      roundTrip(async () => {
        const results = await client.batch<T>(statements.map((s) => (s instanceof MeteredStatement ? s.real : s)));
        for (const result of results) counted(result);
        return results;
      }),
  };
  return { db, meter };
}
