// Starts Swagger UI on /docs, after swagger-ui-bundle.js (copied from the
// swagger-ui-dist package by scripts/docs-assets.mjs). Everything it loads and
// every "Try it out" request stays on this origin. The token given to
// "Authorize" stays in the page's memory (persistAuthorization would keep it in
// localStorage, readable by any script of this origin long after the tab).
window.ui = window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
  displayRequestDuration: true,
  displayOperationId: false,
  filter: true,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
  validatorUrl: null,
});
