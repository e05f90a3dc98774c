import { Hono } from "hono";
import type { AppEnv } from "../../http/context";
import { conditionalGet } from "../../http/etag";
import { noSuchRoute, type ProblemRenderer, problemHandler } from "../../http/problem";
import { requestContext } from "../../http/request-context";
import { toXml } from "../xml/codec";
import { restNegotiation, XML_MEDIA_TYPE, xmlRepresentation } from "../xml/middleware";
import { articleRoutes } from "./articles";
import { commentRoutes } from "./comments";
import { favoriteRoutes } from "./favorites";
import { feedRoutes } from "./feeds";
import { profileRoutes } from "./profiles";
import { mountRest } from "./route";
import { tagRoutes } from "./tags";
import { userRoutes } from "./users";

// The RealWorld REST contract under /api: each route parses, calls one domain
// operation and wraps the result in the contract's envelope. No rules here.

/** Every REST route, in the order they are matched and documented. */
export const restRoutes = [
  ...userRoutes,
  ...profileRoutes,
  ...articleRoutes,
  ...commentRoutes,
  ...favoriteRoutes,
  ...tagRoutes,
  ...feedRoutes,
];

/** `{"errors": {"<field>": [...]}}`, `body` for a failure of the request as a whole; in XML for an XML caller. */
export const renderRestProblem: ProblemRenderer = (c, problem) => {
  const errors = { errors: Object.keys(problem.fields).length ? problem.fields : { body: [problem.message] } };
  if (c.var.representation === "xml") return c.body(toXml(errors), problem.status, { "Content-Type": XML_MEDIA_TYPE });
  return c.json(errors, problem.status);
};

export const rest = new Hono<AppEnv>();
rest.onError(problemHandler(renderRestProblem));
// Each route negotiates the representation its declaration offers (mountRest).
rest.use(requestContext, conditionalGet, xmlRepresentation);
mountRest(rest, restRoutes);
rest.all("*", restNegotiation, noSuchRoute);
