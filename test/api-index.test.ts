import { describe, expect, it } from "vitest";
import { buildDocument } from "../src/openapi/document";
import { call } from "./support/api";
import { jsonOfXml } from "./support/xml";

// GET /api, the landing page's first link: an index of the REST operations
// (from their declarations, so it lists what the OpenAPI document lists) and
// links to the docs, in JSON or XML like every /api route.

const documented = Object.entries<Record<string, unknown>>(buildDocument().paths)
  .filter(([path]) => path === "/api" || path.startsWith("/api/"))
  .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
  .sort();

describe("GET /api", () => {
  it("lists every REST operation the OpenAPI document has, and links the docs and the other styles", async () => {
    const reply = await call("GET", "/api");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const { index } = reply.body;
    expect(index.links).toEqual({
      graphql: "/graphql",
      jsonapi: "/jsonapi",
      docs: "/docs",
      openapi: "/openapi.json",
      health: "/health",
      feed: "/api/articles.atom",
    });
    const listed = index.routes.map((route: { method: string; path: string }) => `${route.method} ${route.path}`);
    expect(listed.sort()).toEqual(documented.filter((operation) => operation !== "GET /api"));
    expect(index.routes).toContainEqual({
      method: "POST",
      path: "/api/articles",
      summary: "Create an article",
      auth: "required",
    });
  });

  it("answers the same index in XML to an XML Accept, and JSON to a browser tab", async () => {
    const json = (await call("GET", "/api")).body;
    const xml = await call("GET", "/api", { headers: { Accept: "application/xml" } });
    expect(xml.status).toBe(200);
    expect(xml.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    expect(xml.text).toContain("<routes><route><method>POST</method>");
    expect(jsonOfXml(xml.text)).toEqual(json);
    const tab = await call("GET", "/api", { headers: { Accept: "text/html,*/*;q=0.8", "Sec-Fetch-Mode": "navigate" } });
    expect(tab.body).toEqual(json);
  });
});
