import { withDeadline } from "../deadline";

// Counts and times the D1 round trips of one request, for the Server-Timing
// header: a statement run on its own is one round trip, a batch is one.

export type D1Meter = { trips: number; ms: number };

/** What a request talks to: a D1 session (or the plain binding in tests). */
export type D1Client = Pick<D1Database, "prepare" | "batch">;

/**
 * Wraps a D1 client so that its round trips are counted and timed, and a round
 * trip that takes longer than `timeoutMs` fails (as a D1 error, so a 503)
 * instead of holding the request until the platform cuts it off.
 */
export function meterD1(client: D1Client, timeoutMs: number): { db: D1Client; meter: D1Meter } {
  const meter: D1Meter = { trips: 0, ms: 0 };
  // batch() must be handed the statements the client made, not our wrappers.
  const realOf = new WeakMap<object, D1PreparedStatement>();

  async function roundTrip<T>(run: () => Promise<T>): Promise<T> {
    meter.trips += 1;
    const started = performance.now();
    try {
      return await withDeadline(run(), timeoutMs, () => new Error(`D1_TIMEOUT: no answer within ${timeoutMs} ms`));
    } finally {
      meter.ms += performance.now() - started;
    }
  }

  function wrap(statement: D1PreparedStatement): D1PreparedStatement {
    const metered = {
      bind: (...values: unknown[]) => wrap(statement.bind(...values)),
      first: (column?: string) => roundTrip(() => (column === undefined ? statement.first() : statement.first(column))),
      all: () => roundTrip(() => statement.all()),
      run: () => roundTrip(() => statement.run()),
      raw: (options?: { columnNames?: boolean }) => roundTrip(() => statement.raw(options as { columnNames: true })),
    };
    realOf.set(metered, statement);
    return metered as unknown as D1PreparedStatement;
  }

  const db: D1Client = {
    prepare: (sql) => wrap(client.prepare(sql)),
    batch: (statements) => roundTrip(() => client.batch(statements.map((s) => realOf.get(s) ?? s))),
  };
  return { db, meter };
}
