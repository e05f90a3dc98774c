import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./client";

// One D1 round trip for any number of statements, typed per statement: each
// `add` returns the statement's own result once the batch has run, so an
// operation can add statements conditionally without positional tuples.

type Statement = BatchItem<"sqlite">;

/** What a statement gives back in a batch, as drizzle types it. */
export type ResultOf<S extends Statement> = S["_"]["result"];

/** The result of one statement of a batch; read it after `run`. */
export type Slot<T> = () => T;

export class Batch {
  readonly #statements: Statement[] = [];
  #results: readonly unknown[] | null = null;

  add<S extends Statement>(statement: S): Slot<ResultOf<S>> {
    const index = this.#statements.push(statement) - 1;
    return () => {
      if (!this.#results) throw new Error("a batch result was read before the batch ran");
      // drizzle's batch answers each statement at its own index, typed as
      // ResultOf of that statement; the array of mixed results cannot say so.
      return this.#results[index] as ResultOf<S>;
    };
  }

  /** Runs every statement added, in order, in one transaction and one round trip. */
  async run(db: Db): Promise<void> {
    const [first, ...rest] = this.#statements;
    this.#results = first ? await db.batch([first, ...rest]) : [];
  }
}
