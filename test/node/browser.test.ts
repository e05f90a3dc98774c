import { mkdirSync } from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWorker, startWorker } from "./support/worker";

// The Worker as a visitor meets it: started with `wrangler dev` (local D1 and
// KV, seeded), its pages opened in headless Chromium (Debian's package, driven
// by playwright-core). Screenshots land in test-results/screenshots/.
//
// Needs /usr/bin/chromium (`apt-get install -y chromium`; .ci/run does it).

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOTS = path.resolve(import.meta.dirname, "..", "..", "test-results", "screenshots");

let worker: RunningWorker;
let browser: Browser;
let context: BrowserContext;
/** Requests the pages made to anything but the Worker, and problems they logged. */
const foreign: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  worker = await startWorker();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(worker.url) && !url.startsWith("data:")) foreign.push(url);
  });
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
});

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`${path}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`${path}: ${error.message}`));
  await page.goto(`${worker.url}${path}`, { waitUntil: "load" });
  return page;
}

describe("the served OpenAPI document", () => {
  it("is valid OpenAPI 3.1, served as a static asset in JSON with a validator", async () => {
    const reply = await fetch(`${worker.url}/openapi.json`);
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
    const etag = reply.headers.get("etag");
    expect(etag).toBeTruthy();
    const document = await reply.json();
    expect((await fetch(`${worker.url}/openapi.json`, { headers: { "If-None-Match": etag ?? "" } })).status).toBe(304);
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("is served with the renderer's files, from the Worker's own static assets", async () => {
    for (const asset of ["/assets/swagger-ui/swagger-ui-bundle.js", "/assets/swagger-ui/swagger-ui.css", "/assets/docs.js"]) {
      const reply = await fetch(`${worker.url}${asset}`);
      expect(reply.status, asset).toBe(200);
      await reply.arrayBuffer();
    }
  });

  it("serves static assets with the Worker's security headers (public/_headers)", async () => {
    const SECURITY = [
      "x-content-type-options",
      "x-frame-options",
      "strict-transport-security",
      "referrer-policy",
      "cross-origin-opener-policy",
      "x-permitted-cross-domain-policies",
    ];
    const fromWorker = await fetch(`${worker.url}/api/tags`);
    await fromWorker.arrayBuffer();
    const expected = Object.fromEntries(SECURITY.map((name) => [name, fromWorker.headers.get(name)]));
    expect(expected["x-content-type-options"]).toBe("nosniff");
    for (const asset of [
      "/openapi.json",
      "/assets/docs.js",
      "/assets/graphql-ide.js",
      "/assets/site.css",
      "/assets/favicon.svg",
    ]) {
      const reply = await fetch(`${worker.url}${asset}`);
      await reply.arrayBuffer();
      expect(reply.status, asset).toBe(200);
      expect(Object.fromEntries(SECURITY.map((name) => [name, reply.headers.get(name)])), asset).toEqual(expected);
      expect(reply.headers.get("content-security-policy"), asset).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    }
    // The file itself is not served.
    expect((await fetch(`${worker.url}/_headers`)).status).not.toBe(200);
  });
});

describe("GET /graphql (GraphiQL) in Chromium", () => {
  it("keeps its tabs and headers in sessionStorage, not localStorage", async () => {
    const page = await open("/graphql");
    await page.locator(".graphiql-container").waitFor();
    await page.waitForFunction(() => Object.keys(sessionStorage).some((key) => key.startsWith("graphiql:")));
    const keys = await page.evaluate(() => ({ local: Object.keys(localStorage), session: Object.keys(sessionStorage) }));
    expect(keys.local.filter((key) => key.startsWith("graphiql:"))).toEqual([]);
    expect(keys.session).toEqual(expect.arrayContaining(["graphiql:tabState"]));
    await page.close();
  });
});

describe("GET / in Chromium", () => {
  it("says what the service is, shows its health and links the docs", async () => {
    const page = await open("/");
    await expect.poll(() => page.locator("h1").textContent()).toBe("Conduit at the edge");
    expect(await page.getByTestId("health").textContent()).toMatch(/D1: ok, KV: ok/);
    for (const href of ["/docs", "/openapi.json", "/health", "/api", "/graphql", "/jsonapi"]) {
      expect(await page.locator(`a[href="${href}"]`).count(), href).toBe(1);
    }
    // GraphQL and JSON:API have shipped: linked, no longer marked as coming.
    expect(await page.locator('a[href="/graphql"]').textContent()).toContain("GraphQL");
    expect(await page.locator('a[href="/jsonapi"]').textContent()).toContain("JSON:API");
    expect(await page.locator(".coming").count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, "landing.png"), fullPage: true });
    await page.locator('a[href="/docs"]').click();
    await page.waitForURL(`${worker.url}/docs`);
    await page.close();
  });
});

describe("the API opened in a Chromium tab", () => {
  it("shows JSON, not XML, though Chromium's Accept ranks XML above */*", async () => {
    for (const route of ["/api/articles", "/api"]) {
      const page = await context.newPage();
      const response = await page.goto(`${worker.url}${route}`, { waitUntil: "load" });
      const sent = await response?.request().allHeaders();
      // Chromium's own navigation headers, not ones this test wrote.
      expect(sent?.accept, route).toMatch(/^text\/html,.*application\/xml;q=0\.9.*\*\/\*;q=0\.8/);
      expect(sent?.["sec-fetch-mode"], route).toBe("navigate");
      expect(response?.status(), route).toBe(200);
      expect(response?.headers()["content-type"], route).toBe("application/json; charset=utf-8");
      const shown = (await page.locator("body").textContent()) ?? "";
      expect(() => JSON.parse(shown), `${route} shows the JSON as text`).not.toThrow();
      await page.screenshot({ path: path.join(SCREENSHOTS, `tab${route.replaceAll("/", "-")}.png`) });
      await page.close();
    }
  });
});

describe("GET /docs in Chromium", () => {
  let page: Page;
  beforeAll(async () => {
    page = await open("/docs");
    await page.locator(".opblock").first().waitFor({ timeout: 30_000 });
  });
  afterAll(() => page?.close());

  it("lists every operation of the document", async () => {
    const document = await (await fetch(`${worker.url}/openapi.json`)).json();
    const expected = Object.entries<Record<string, unknown>>(document.paths)
      .flatMap(([route, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${route}`))
      .sort();
    const listed = await page
      .locator(".opblock-summary")
      .evaluateAll((summaries) =>
        summaries.map(
          (summary) =>
            `${summary.querySelector(".opblock-summary-method")?.textContent?.trim()} ${summary.querySelector(".opblock-summary-path")?.getAttribute("data-path")}`,
        ),
      );
    expect([...new Set(listed)].sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(19);
    await page.screenshot({ path: path.join(SCREENSHOTS, "docs.png"), fullPage: true });
  });

  it('"Try it out" on GET /api/tags returns the tags', async () => {
    const operation = page.locator(".opblock").filter({ has: page.locator('[data-path="/api/tags"]') });
    await operation.locator(".opblock-summary").click();
    await operation.getByRole("button", { name: "Try it out" }).click();
    await operation.getByRole("button", { name: "Execute" }).click();
    const response = operation.locator(".live-responses-table .response");
    await response.first().waitFor();
    expect(await response.locator(".response-col_status").first().textContent()).toContain("200");
    const body = await operation.locator(".live-responses-table .response-col_description pre").first().textContent();
    expect(JSON.parse(body ?? "{}").tags).toEqual(expect.arrayContaining(["dragons"]));
    await operation.screenshot({ path: path.join(SCREENSHOTS, "docs-try-tags.png") });
  });

  it("logs in through the page, authorizes with the token and reads the current user", async () => {
    const login = page.locator(".opblock").filter({ has: page.locator('[data-path="/api/users/login"]') });
    await login.locator(".opblock-summary").click();
    await login.getByRole("button", { name: "Try it out" }).click();
    await login.getByRole("button", { name: "Execute" }).click();
    await login.locator(".live-responses-table .response").first().waitFor();
    const answer = await login.locator(".live-responses-table .response-col_description pre").first().textContent();
    const token = JSON.parse(answer ?? "{}").user?.token as string;
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    await page.locator(".auth-wrapper .authorize").first().click();
    const dialog = page.locator(".dialog-ux .modal-ux");
    await dialog.waitFor();
    const bearer = dialog.locator(".auth-container").filter({ hasText: "http, Bearer" });
    await bearer.locator("#auth-bearer-value").fill(token);
    await bearer.getByRole("button", { name: "Apply credentials" }).click();
    await bearer.getByText("Authorized").waitFor();
    // The token stays in the page's memory: nothing of it in either storage.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(stored).not.toContain(token);
    await page.screenshot({ path: path.join(SCREENSHOTS, "docs-authorize.png") });
    await bearer.getByRole("button", { name: "Close" }).click();

    const current = page.locator(".opblock-get").filter({ has: page.locator('[data-path="/api/user"]') });
    await current.locator(".opblock-summary").click();
    await current.getByRole("button", { name: "Try it out" }).click();
    await current.getByRole("button", { name: "Execute" }).click();
    await current.locator(".live-responses-table .response").first().waitFor();
    expect(await current.locator(".live-responses-table .response .response-col_status").first().textContent()).toContain("200");
    const me = await current.locator(".live-responses-table .response-col_description pre").first().textContent();
    expect(JSON.parse(me ?? "{}").user.email).toBe("demo@conduit.local");
    await current.screenshot({ path: path.join(SCREENSHOTS, "docs-try-authorized.png") });
  });

  it("loaded nothing from outside the Worker and logged no error", () => {
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
  });
});
