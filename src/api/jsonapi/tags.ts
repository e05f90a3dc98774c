import { listTags } from "../../domain/tags";
import { Compound, selfLink, tagResource } from "./document";
import { urlOf } from "./request";
import { jsonApiRoute } from "./route";

export const tagRoutes = [
  jsonApiRoute({
    method: "get",
    path: "/tags",
    operationId: "JsonApiListTags",
    summary: "The 100 most used tags",
    auth: "none",
    type: "tags",
    query: { include: [] },
    success: { status: 200 },
    cache: {},
    doc: OPENAPI && { answer: "A collection of `tags` (their ids are the tags)", errors: {} },
    handle: async (c, { query }) => {
      const tags = await listTags(c.var.ctx);
      return { document: new Compound(query).document(tags.map(tagResource), { links: { self: selfLink(urlOf(c)) } }) };
    },
  }),
];
