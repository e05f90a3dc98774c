import { conditionalGet } from "../../http/etag";
import { createApp } from "../../http/hono";
import { noSuchRoute, type ProblemRenderer, problemHandler } from "../../http/problem";
import { requestContext } from "../../http/request-context";
import { landing } from "../../service/pages";
import { toXml } from "../xml/codec";
import { restNegotiation, XML_MEDIA_TYPE, xmlRepresentation } from "../xml/middleware";
import { articleRoutes } from "./articles";
import { commentRoutes } from "./comments";
import { favoriteRoutes } from "./favorites";
import { feedRoutes } from "./feeds";
import { profileRoutes } from "./profiles";
import { ApiIndexResponse } from "./responses";
import { type AnyRestRoute, mountRest, REST_BASE, restRoute } from "./route";
import { tagRoutes } from "./tags";
import { userRoutes } from "./users";

// The RealWorld REST contract under /api: each route parses, calls one domain
// operation and wraps the result in the contract's envelope. No rules here.

const resourceRoutes = [
  ...userRoutes,
  ...profileRoutes,
  ...articleRoutes,
  ...commentRoutes,
  ...favoriteRoutes,
  ...tagRoutes,
  ...feedRoutes,
];

/** `/articles/:slug` as a route declares it → `/api/articles/{slug}`, as OpenAPI writes templates. */
export const restPathOf = (path: string) => `${REST_BASE}${path === "/" ? "" : path.replace(/:(\w+)/g, "{$1}")}`;

const HTTP_METHOD = { get: "GET", post: "POST", put: "PUT", delete: "DELETE" } as const;

/** What `GET /api` answers: the operations, from their declarations, and where the docs are. */
const indexOf = (routes: readonly AnyRestRoute[]) => ({
  index: {
    name: landing.name,
    description: "The RealWorld (Conduit) REST API. Send `Accept: application/xml` for XML.",
    version: landing.version,
    links: Object.fromEntries(Object.entries(landing.links).filter(([name]) => name !== "api")),
    routes: routes.map((route) => ({
      method: HTTP_METHOD[route.method],
      path: restPathOf(route.path),
      summary: route.summary,
      auth: route.auth,
    })),
  },
});

const apiIndex = restRoute({
  operationId: "GetApiIndex",
  method: "get",
  path: "/",
  tag: "Index",
  summary: "What is here: every REST operation, and links to the docs",
  auth: "none",
  success: { status: 200, schema: ApiIndexResponse },
  doc: OPENAPI && {
    description:
      "The operations below `/api` (method, path template, summary, auth), and links to the docs and the other API styles.",
    answer: "The index",
    errors: [],
  },
  handle: async () => indexOf(resourceRoutes),
});

/** Every REST route, in the order they are matched and documented. */
export const restRoutes = [apiIndex, ...resourceRoutes];

/** `{"errors": {"<field>": [...]}}`, `body` for a failure of the request as a whole; in XML for an XML caller. */
export const renderRestProblem: ProblemRenderer = (c, problem) => {
  const errors = { errors: Object.keys(problem.fields).length ? problem.fields : { body: [problem.message] } };
  if (c.var.representation === "xml") return c.body(toXml(errors), problem.status, { "Content-Type": XML_MEDIA_TYPE });
  return c.json(errors, problem.status);
};

export const rest = createApp();
rest.onError(problemHandler(renderRestProblem));
// Each route negotiates the representation its declaration offers (mountRest).
rest.use(requestContext, conditionalGet, xmlRepresentation);
mountRest(rest, restRoutes);
rest.all("*", restNegotiation, noSuchRoute);
