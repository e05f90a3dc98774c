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
    auth: "none",
    cache: "public",
    success: { status: 200, schema: responses.TagsResponse },
    doc: OPENAPI && { description: "The 100 most used tags, most used first.", answer: "Tags", errors: [] },
    handle: async (ctx) => ({ tags: await listTags(ctx) }),
  }),
];
