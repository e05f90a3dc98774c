import { count, desc } from "drizzle-orm";
import { articleTags } from "../db/schema";
import type { Context } from "./context";
import { ViewerBatch } from "./viewer";

/** How many tags GET /tags returns: the most used first. */
export const TAGS_LIMIT = 100;

// Round trips: 1. Served from the (tag, article_id) index. A revoked token is
// refused here too, as on every route that accepts one.
export async function listTags(ctx: Context): Promise<string[]> {
  const batch = new ViewerBatch(ctx);
  const rows = batch.add(
    ctx.db
      .select({ tag: articleTags.tag })
      .from(articleTags)
      .groupBy(articleTags.tag)
      .orderBy(desc(count()), articleTags.tag)
      .limit(TAGS_LIMIT),
  );
  await batch.run();
  return rows().map((row) => row.tag);
}
