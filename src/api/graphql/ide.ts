import { html } from "hono/html";

// The in-browser IDE: GraphiQL 3 (its UMD build, on React 18), served as
// static assets from public/assets/graphiql/ (copied from node_modules by
// scripts/docs-assets.mjs, like the docs page's Swagger UI), so it works
// offline and none of its ~1 MB of script is in the Worker bundle. Only this
// page is rendered by the Worker.

/** GraphiQL styles elements inline, embeds its fonts as data: URIs and talks to /graphql. */
export const IDE_CSP = [
  "default-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
].join("; ");

export function idePage() {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Conduit at the edge — GraphQL</title>
    <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/assets/graphiql/graphiql.min.css" />
    <link rel="stylesheet" href="/assets/graphql-ide.css" />
  </head>
  <body>
    <div id="graphiql" data-endpoint="/graphql" data-schema="/graphql/schema.graphql">
      <p class="loading">
        Loading GraphiQL… If this stays, its files are missing: run <code>npm run assets</code> (done by
        <code>npm run dev</code>), or read <a href="/graphql/schema.graphql">the schema</a>.
      </p>
    </div>
    <script src="/assets/graphiql/react.production.min.js"></script>
    <script src="/assets/graphiql/react-dom.production.min.js"></script>
    <script src="/assets/graphiql/graphiql.min.js"></script>
    <script src="/assets/graphql-ide.js"></script>
  </body>
</html>`;
}
