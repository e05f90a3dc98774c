import type { BatchItem } from "drizzle-orm/batch";
import { Batch, type ResultOf, type Slot } from "../db/batch";
import { selectViewer } from "../db/users";
import type { Context, Viewer } from "./context";
import { unauthenticated } from "./errors";

export type ViewerRow = Awaited<ReturnType<typeof selectViewer>>[number];

/**
 * Contexts whose token an operation has checked against D1 (its user, at its
 * version) in this request, whatever the answer: a refusal has been given.
 */
const checked = new WeakSet<Context>();

/** Records that an operation's own query has checked the token. */
export function viewerChecked(ctx: Context): void {
  checked.add(ctx);
}

/**
 * Run once a request has succeeded: a token that no operation checked (the
 * answer needed no D1, as `GET /jsonapi` or GraphQL's `{ __typename }`) is
 * checked now, so that a revoked token never gets a success. Anonymous
 * callers and requests that checked it already cost nothing more.
 */
export async function checkViewer(ctx: Context): Promise<void> {
  if (!ctx.viewer || checked.has(ctx)) return;
  checked.add(ctx);
  const [row] = await selectViewer(ctx.db, ctx.viewer.userId, ctx.viewer.tokenVersion);
  if (!row) throw unauthenticated("token is no longer valid");
}

/**
 * An operation's first round trip: its statements in one D1 batch, prefixed,
 * when the request carries a token, by the check that the token's user still
 * exists at the token's version. A token that no longer matches is refused
 * even where auth is optional: a client holding a revoked token should hear so.
 */
export class ViewerBatch {
  readonly #batch = new Batch();
  readonly #viewer: Slot<ViewerRow[]> | null;

  constructor(private readonly ctx: Context) {
    this.#viewer = ctx.viewer ? this.#batch.add(selectViewer(ctx.db, ctx.viewer.userId, ctx.viewer.tokenVersion)) : null;
  }

  add<S extends BatchItem<"sqlite">>(statement: S): Slot<ResultOf<S>> {
    return this.#batch.add(statement);
  }

  /** Runs the batch; the viewer's row, or null for an anonymous caller. */
  async run(): Promise<ViewerRow | null> {
    await this.#batch.run(this.ctx.db);
    if (!this.#viewer) return null;
    viewerChecked(this.ctx);
    const [row] = this.#viewer();
    if (!row) throw unauthenticated("token is no longer valid");
    return row;
  }

  /** Runs the batch of an operation that needs a signed-in caller (401 before any round trip). */
  async runSignedIn(): Promise<ViewerRow> {
    requireViewer(this.ctx);
    const row = await this.run();
    if (!row) throw unauthenticated("authentication is required");
    return row;
  }
}

export function requireViewer(ctx: Context): Viewer {
  if (!ctx.viewer) throw unauthenticated("authentication is required");
  return ctx.viewer;
}
