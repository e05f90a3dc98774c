import { preferredMediaType } from "../http/accept";
import { createApp } from "../http/hono";
import { logEvent } from "../http/log";
import { checkHealth } from "./health";
import { DOCS_CSP, docsPage, LANDING_CSP, landing, landingPage } from "./pages";

// What the Worker serves outside /api: the landing page, the health check and
// the interactive docs. The OpenAPI document is a static asset
// (public/openapi.json, written by `npm run openapi`). The pages set their own
// Content-Security-Policy; every other response keeps the API's
// `default-src 'none'` from app.ts.

export const service = createApp();

service.get("/", async (c) => {
  c.header("Vary", "Accept");
  const type = preferredMediaType(c.req.header("accept"), ["application/json", "text/html"]) ?? "application/json";
  if (type === "application/json") {
    c.header("Cache-Control", "no-cache");
    return c.json(landing);
  }
  const health = await checkHealth(c);
  c.header("Cache-Control", "no-store");
  c.header("Content-Security-Policy", LANDING_CSP);
  return c.html(landingPage(health));
});

service.get("/health", async (c) => {
  const health = await checkHealth(c);
  if (health.status !== "ok") {
    logEvent("error", c.var.requestId, { health });
  }
  c.header("Cache-Control", "no-store");
  return c.json(health, health.status === "ok" ? 200 : 503);
});

service.get("/docs", (c) => {
  c.header("Cache-Control", "no-cache");
  c.header("Content-Security-Policy", DOCS_CSP);
  return c.html(docsPage());
});
