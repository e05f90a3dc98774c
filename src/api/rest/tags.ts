import { listTags } from "../../domain/tags";
import * as responses from "./responses";
import { restRoute } from "./route";

export const tagRoutes = [
  restRoute({
    operationId: "GetTags",
    method: "get",
    path: "/tags",
    tag: "Tags",
    summary: "Get tags",
    description: "The 100 most used tags, most used first.",
    auth: "none",
    cache: "public",
    success: { status: 200, description: "Tags", schema: responses.TagsResponse },
    errors: [],
    handle: async (ctx) => ({ tags: await listTags(ctx) }),
  }),
];
