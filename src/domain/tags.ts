import { desc } from "drizzle-orm";
import { tags } from "../db/schema";
import type { Context } from "./context";
import { ViewerBatch } from "./viewer";

/** How many tags GET /tags returns: the most used first. */
export const TAGS_LIMIT = 100;

// Round trips: 1. The ranking is kept as data (the `tags` table, counted by
// triggers), so this reads its first rows from the ranking index. A revoked
// token is refused here too, as on every route that accepts one.
export async function listTags(ctx: Context): Promise<string[]> {
  const batch = new ViewerBatch(ctx);
  const rows = batch.add(
    ctx.db.select({ tag: tags.tag }).from(tags).orderBy(desc(tags.articlesCount), tags.tag).limit(TAGS_LIMIT),
  );
  await batch.run();
  ctx.shown({ kind: "tags" });
  return rows().map((row) => row.tag);
}
