import { createApp } from "../../http/hono";
import { noSuchRoute, problemHandler } from "../../http/problem";
import { requestContext } from "../../http/request-context";
import { graphqlIde, graphqlProblem, graphqlRoutes } from "./http";

// GraphQL under /graphql: a browser gets the IDE before any of the
// per-request work; everything else runs in the request context, and every
// failure is rendered as a GraphQL response.
export const graphql = createApp();
graphql.onError(problemHandler(graphqlProblem));
graphql.use("/", graphqlIde, requestContext);
graphql.route("/", graphqlRoutes);
graphql.all("*", noSuchRoute);
