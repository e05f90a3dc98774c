import { count, desc } from "drizzle-orm";
import { articleTags } from "../db/schema";
import type { Context } from "./context";

/** How many tags GET /tags returns: the most used first. */
export const TAGS_LIMIT = 100;

// Round trips: 1. Served from the (tag, article_id) index.
export async function listTags(ctx: Context): Promise<string[]> {
  const rows = await ctx.db
    .select({ tag: articleTags.tag })
    .from(articleTags)
    .groupBy(articleTags.tag)
    .orderBy(desc(count()), articleTags.tag)
    .limit(TAGS_LIMIT);
  return rows.map((row) => row.tag);
}
