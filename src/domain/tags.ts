import { count, desc } from "drizzle-orm";
import { articleTags } from "../db/schema";
import type { Context } from "./context";
import { batchAsViewer } from "./viewer";

/** How many tags GET /tags returns: the most used first. */
export const TAGS_LIMIT = 100;

// Round trips: 1. Served from the (tag, article_id) index. A revoked token is
// refused here too, as on every route that accepts one.
export async function listTags(ctx: Context): Promise<string[]> {
  const [, [rows]] = await batchAsViewer(ctx, [
    ctx.db
      .select({ tag: articleTags.tag })
      .from(articleTags)
      .groupBy(articleTags.tag)
      .orderBy(desc(count()), articleTags.tag)
      .limit(TAGS_LIMIT),
  ]);
  return rows.map((row) => row.tag);
}
