import { requestId } from "hono/request-id";
import { graphql } from "./api/graphql";
import { jsonapi } from "./api/jsonapi";
import { renderRestProblem, rest } from "./api/rest";
import { REST_BASE } from "./api/rest/route";
import { refuseUnsafeConfiguration } from "./http/configuration";
import { createApp } from "./http/hono";
import { noSuchRoute, problemHandler } from "./http/problem";
import { corsPolicy, jsonCharset, securityHeaders, serverTiming } from "./http/response-headers";
import { service } from "./service/routes";

// The Worker: the headers every response carries, then each API style as a
// sub-app that sets up its own requests and renders its own errors.

export const app = createApp();

app.use(serverTiming, corsPolicy, requestId(), securityHeaders, jsonCharset, refuseUnsafeConfiguration);

app.route(REST_BASE, rest);
app.route("/graphql", graphql);
app.route("/jsonapi", jsonapi);
// Landing page, health check, OpenAPI document, interactive docs.
app.route("/", service);

// Outside the API styles' paths: REST's JSON errors.
app.notFound(noSuchRoute);
app.onError(problemHandler(renderRestProblem));
