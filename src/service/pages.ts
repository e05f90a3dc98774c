import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { feedTemplates, newestArticlesFeed } from "../api/rest/feeds";
import { REST_BASE } from "../api/rest/route";
import type { Health, Landing } from "./schemas";
import { WORKER_VERSION } from "./version";

// The two pages for people: the landing page and the interactive API
// reference. Their scripts and styles are static assets (public/assets/,
// served by Workers static assets, never part of the Worker bundle), which is
// what their Content-Security-Policy allows and nothing more.

/** Where things are. An API style moves from `coming` to `links` when it ships. */
export const landing: Landing = {
  name: "Conduit at the edge",
  description:
    "The RealWorld (Conduit) publishing API — users, profiles, articles, comments, favorites, tags — on Cloudflare Workers with D1 and KV.",
  version: WORKER_VERSION,
  links: {
    api: REST_BASE,
    graphql: "/graphql",
    jsonapi: "/jsonapi",
    docs: "/docs",
    openapi: "/openapi.json",
    health: "/health",
    feed: newestArticlesFeed.href,
  },
  coming: {},
};

const LINK_LABELS: Record<string, string> = {
  api: "REST API: an index of its operations (try /api/articles)",
  docs: "Interactive API reference",
  openapi: "OpenAPI 3.1 document",
  health: "Health check (JSON)",
  graphql: "GraphQL endpoint and IDE",
  jsonapi: "JSON:API root",
  feed: "Atom feed of the newest articles",
};

const COMMON_CSP = ["default-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"];

/** The landing page loads one stylesheet and nothing else. */
export const LANDING_CSP = [...COMMON_CSP, "style-src 'self'", "img-src 'self'"].join("; ");

/**
 * Swagger UI runs from our own origin, styles elements inline, draws icons
 * from data: URIs and sends "try it out" requests to this API.
 */
export const DOCS_CSP = [
  ...COMMON_CSP,
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
].join("; ");

const page = (title: string, head: HtmlEscapedString | Promise<HtmlEscapedString>, body: unknown) => html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
    <link rel="alternate" type="application/atom+xml" title="${newestArticlesFeed.title}" href="${newestArticlesFeed.href}" />
    ${head}
  </head>
  <body>
    ${body}
  </body>
</html>`;

export function landingPage(health: Health) {
  const ok = health.status === "ok";
  return page(
    landing.name,
    html`<link rel="stylesheet" href="/assets/site.css" />`,
    html`<main class="landing">
      <h1>${landing.name}</h1>
      <p class="lead">${landing.description}</p>
      <p>
        It implements the <a href="https://github.com/gothinkster/realworld">RealWorld</a> REST contract under
        <code>/api</code>: point any RealWorld frontend at this origin's <code>/api</code>. The same domain is also served as
        GraphQL under <code>/graphql</code> and as JSON:API under <code>/jsonapi</code>.
      </p>
      <section aria-labelledby="health">
        <h2 id="health">Health</h2>
        <p class="health ${ok ? "ok" : "degraded"}" data-testid="health">
          <strong>${ok ? "All systems answer" : "Degraded"}</strong> — D1: ${health.d1}, KV: ${health.kv}, version
          ${health.version}
        </p>
      </section>
      <section aria-labelledby="links">
        <h2 id="links">Explore</h2>
        <ul class="links">
          ${Object.entries(landing.links).map(
            ([key, href]) => html`<li><a href="${href}">${LINK_LABELS[key] ?? key}</a> <code>${href}</code></li>`,
          )}
          ${Object.entries(landing.coming).map(
            ([key, href]) =>
              html`<li class="coming">${LINK_LABELS[key] ?? key} <code>${href}</code> <span class="badge">coming</span></li>`,
          )}
        </ul>
      </section>
      <section aria-labelledby="feeds">
        <h2 id="feeds">Feeds</h2>
        <p>
          Atom feeds of the newest articles, for feed readers: everyone's at
          <a href="${newestArticlesFeed.href}"><code>${newestArticlesFeed.href}</code></a>, per tag at
          <code>${feedTemplates.tag}</code>, per author at <code>${feedTemplates.author}</code>.
        </p>
      </section>
      <p class="hint">API clients asking for <code>application/json</code> get this page as JSON.</p>
    </main>`,
  );
}

export function docsPage() {
  return page(
    `${landing.name} — API reference`,
    html`<link rel="stylesheet" href="/assets/swagger-ui/swagger-ui.css" />
      <link rel="stylesheet" href="/assets/site.css" />`,
    html`<header class="docs-bar">
        <a href="/">${landing.name}</a>
        <span>API reference · <a href="/openapi.json">openapi.json</a></span>
      </header>
      <div id="swagger-ui">
        <p class="loading">
          Loading the API reference… If this stays, the renderer's files are missing: run <code>npm run assets</code> (done by
          <code>npm run dev</code>), or read <a href="/openapi.json">the OpenAPI document</a>.
        </p>
      </div>
      <script src="/assets/swagger-ui/swagger-ui-bundle.js"></script>
      <script src="/assets/docs.js"></script>`,
  );
}
