import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import { selectViewer } from "../db/users";
import type { Context, Viewer } from "./context";
import { unauthenticated } from "./errors";

export type ViewerRow = Awaited<ReturnType<typeof selectViewer>>[number];

type Items = readonly [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];

/**
 * Runs `items` in one D1 batch (one round trip), prefixed, when there is a
 * viewer, by the check that the token's user still exists at the token's
 * version. A token that no longer matches is refused even where auth is
 * optional: a client holding a revoked token should hear so.
 */
export async function batchAsViewer<T extends Items>(ctx: Context, items: T): Promise<[ViewerRow | null, BatchResponse<T>]> {
  if (!ctx.viewer) return [null, (await ctx.db.batch(items)) as BatchResponse<T>];
  const [viewerRows, ...results] = await ctx.db.batch([
    selectViewer(ctx.db, ctx.viewer.userId, ctx.viewer.tokenVersion),
    ...items,
  ]);
  const viewer = (viewerRows as ViewerRow[])[0];
  if (!viewer) throw unauthenticated("token is no longer valid");
  return [viewer, results as unknown as BatchResponse<T>];
}

/** Same as batchAsViewer for operations that need a signed-in caller. */
export async function batchAsSignedIn<T extends Items>(ctx: Context, items: T): Promise<[ViewerRow, BatchResponse<T>]> {
  requireViewer(ctx);
  const [viewer, results] = await batchAsViewer(ctx, items);
  return [viewer as ViewerRow, results];
}

export function requireViewer(ctx: Context): Viewer {
  if (!ctx.viewer) throw unauthenticated("authentication is required");
  return ctx.viewer;
}
