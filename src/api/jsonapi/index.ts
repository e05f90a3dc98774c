import { conditionalGet } from "../../http/etag";
import { createApp } from "../../http/hono";
import { noSuchRoute, problemHandler } from "../../http/problem";
import { requestContext } from "../../http/request-context";
import { REST_BASE } from "../rest/route";
import { articleRoutes } from "./articles";
import { commentRoutes } from "./comments";
import { BASE, VERSION } from "./document";
import { errorResponse, JSONAPI_MEDIA_TYPE, JsonApiError, jsonApiProblem } from "./errors";
import { requireAcceptable } from "./media";
import { jsonApiRoute, mountJsonApi } from "./route";
import { tagRoutes } from "./tags";
import { userRoutes } from "./users";

// JSON:API 1.1 over the domain, under /jsonapi: each handler reads the
// request (query or document), calls domain operations, and presents the
// views as resources. Authorization, rules, queries and their round-trip
// costs are the domain's; nothing here decides who may do what.

const rootRoute = jsonApiRoute({
  method: "get",
  path: "/",
  operationId: "JsonApiRoot",
  summary: "What is here: links to the collections",
  auth: "none",
  query: { include: [] },
  success: { status: 200 },
  doc: OPENAPI && { answer: "A document whose `meta` links the collections", errors: {} },
  handle: async (c) => {
    // Links in meta are not `links` members: made absolute here.
    const { origin } = new URL(c.req.url);
    return {
      document: {
        jsonapi: VERSION,
        links: { self: BASE },
        meta: {
          description: "Conduit as JSON:API 1.1: articles, users, comments, tags",
          resources: {
            articles: `${origin}${BASE}/articles`,
            feed: `${origin}${BASE}/feed`,
            tags: `${origin}${BASE}/tags`,
            me: `${origin}${BASE}/users/me`,
            register: `${origin}${BASE}/users`,
            login: `${origin}${REST_BASE}/users/login`,
          },
        },
      },
    };
  },
});

/** Every JSON:API route, in the order they are matched and documented. */
export const jsonApiRoutes = [rootRoute, ...articleRoutes, ...commentRoutes, ...userRoutes, ...tagRoutes];

function varyOnAccept(headers: Headers): void {
  if (!/\baccept\b/i.test(headers.get("Vary") ?? "")) headers.append("Vary", "Accept");
}

export const jsonapi = createApp();

// What this adapter found wrong carries its own error objects; any other
// failure becomes a Problem (logged if it is the server's), as JSON:API.
const renderProblem = problemHandler(jsonApiProblem);
jsonapi.onError((error, c) => {
  if (error instanceof JsonApiError) return errorResponse(c, error.status, error.errors);
  return renderProblem(error, c);
});

jsonapi.use(requestContext, conditionalGet);
// Negotiation first (406), and every answer in the JSON:API media type, errors included.
jsonapi.use(async (c, next) => {
  requireAcceptable(c.req.header("accept"));
  await next();
  if (c.res.body !== null && c.res.status !== 204 && c.res.status !== 304) {
    c.res.headers.set("Content-Type", JSONAPI_MEDIA_TYPE);
  }
  varyOnAccept(c.res.headers);
});
mountJsonApi(jsonapi, jsonApiRoutes);
jsonapi.all("*", noSuchRoute);
