import * as v from "valibot";

// What the service endpoints outside /api answer, as schemas: the OpenAPI
// document describes them from here (src/openapi/service.ts).

const Check = v.picklist(["ok", "error"]);

export const HealthResponse = v.pipe(
  v.strictObject({
    status: v.pipe(v.picklist(["ok", "degraded"]), v.description("`ok` when D1 and KV both answered")),
    version: v.pipe(v.string(), v.description("the Worker's version")),
    d1: v.pipe(Check, v.description("whether a trivial D1 query answered")),
    kv: v.pipe(Check, v.description("whether a KV read answered")),
  }),
  v.metadata({ examples: [{ status: "ok", version: "0.1.0", d1: "ok", kv: "ok" }] }),
);
export type Health = v.InferOutput<typeof HealthResponse>;

const Link = v.pipe(v.string(), v.description("a path on this Worker"));

export const LandingResponse = v.pipe(
  v.strictObject({
    name: v.string(),
    description: v.string(),
    version: v.string(),
    links: v.pipe(
      v.record(v.string(), Link),
      v.description(
        "where to go next: the REST, GraphQL and JSON:API endpoints, the docs, the OpenAPI document, the health check, the Atom feed of the newest articles",
      ),
    ),
    coming: v.pipe(
      v.record(v.string(), v.string()),
      v.description("API styles announced but not served yet (none at the moment)"),
    ),
  }),
  v.metadata({
    examples: [
      {
        name: "Conduit at the edge",
        description: "The RealWorld (Conduit) API on Cloudflare Workers, D1 and KV",
        version: "0.1.0",
        links: {
          api: "/api",
          graphql: "/graphql",
          jsonapi: "/jsonapi",
          docs: "/docs",
          openapi: "/openapi.json",
          health: "/health",
          feed: "/api/articles.atom",
        },
        coming: {},
      },
    ],
  }),
);
export type Landing = v.InferOutput<typeof LandingResponse>;
