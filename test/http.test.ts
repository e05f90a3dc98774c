import { describe, expect, it } from "vitest";
import { call, createArticle, registerUser, unique } from "./support/api";
import { count } from "./support/d1";

// The HTTP layer around the contract: CORS, headers, request bodies (media
// type, size, encoding) and the error shape for anything that is not a route.

const INTERNALS = /SQLITE|D1_|drizzle|select |insert |\bat [\w.<>]+ \(|Error:|stack/i;

const countArticles = () => count("SELECT count(*) AS n FROM articles");

describe("CORS", () => {
  it("answers a preflight for any origin, allowing Authorization and Content-Type and every method the API uses", async () => {
    const reply = await call("OPTIONS", "/api/articles/some-slug", {
      headers: {
        Origin: "https://frontend.example",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization, content-type",
      },
    });
    expect(reply.status).toBe(204);
    expect(reply.headers.get("access-control-allow-origin")).toBe("*");
    const allowedHeaders = reply.headers.get("access-control-allow-headers")?.toLowerCase() ?? "";
    expect(allowedHeaders).toContain("authorization");
    expect(allowedHeaders).toContain("content-type");
    const methods = reply.headers.get("access-control-allow-methods") ?? "";
    for (const method of ["GET", "POST", "PUT", "DELETE"]) expect(methods).toContain(method);
    expect(reply.headers.get("access-control-max-age")).toBe("86400");
  });

  it("marks ordinary and error responses as readable by any origin, exposing the request id", async () => {
    for (const path of ["/api/tags", "/api/articles/does-not-exist", "/api/user"]) {
      const reply = await call("GET", path, { headers: { Origin: "https://frontend.example" } });
      expect(reply.headers.get("access-control-allow-origin"), path).toBe("*");
      expect(reply.headers.get("access-control-expose-headers")?.toLowerCase(), path).toContain("x-request-id");
    }
  });
});

describe("response headers", () => {
  it("sends JSON as application/json with charset utf-8, for successes and errors", async () => {
    for (const path of ["/api/tags", "/api/articles", "/api/user", "/api/nowhere"]) {
      const reply = await call("GET", path);
      expect(reply.headers.get("content-type"), path).toBe("application/json; charset=utf-8");
    }
  });

  it("gives every response a request id, distinct per request, and keeps a caller's id", async () => {
    const a = await call("GET", "/api/tags");
    const b = await call("GET", "/api/tags");
    expect(a.headers.get("x-request-id")).toMatch(/^[\w-]{8,}$/);
    expect(a.headers.get("x-request-id")).not.toBe(b.headers.get("x-request-id"));
    const given = await call("GET", "/api/tags", { headers: { "X-Request-Id": "trace-abc-123" } });
    expect(given.headers.get("x-request-id")).toBe("trace-abc-123");
  });

  it("sets the basic security headers", async () => {
    const reply = await call("GET", "/api/tags");
    expect(reply.headers.get("x-content-type-options")).toBe("nosniff");
    expect(reply.headers.get("x-frame-options")).toBe("DENY");
    expect(reply.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(reply.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    expect(reply.headers.get("referrer-policy")).toBe("no-referrer");
  });
});

describe("routes that do not exist", () => {
  it("answers 404 in the contract's error shape", async () => {
    for (const [method, path] of [
      ["GET", "/api/nowhere"],
      ["GET", "/nowhere"],
      ["PATCH", "/api/articles"],
      ["GET", "/api/articles/a/b/c"],
    ] as const) {
      const reply = await call(method, path);
      expect(reply.status, `${method} ${path}`).toBe(404);
      expect(reply.body, `${method} ${path}`).toEqual({ errors: { body: ["no such route"] } });
    }
  });

  it("treats odd path encodings as ordinary unknown resources", async () => {
    for (const path of [
      "/api/articles/%F0%9F%98%80",
      "/api/articles/%E0%A4%A",
      "/api/profiles/%00",
      "/api/articles/..%2F..%2Fetc",
    ]) {
      const reply = await call("GET", path);
      expect(reply.status, path).toBe(404);
      expect(reply.text, path).not.toMatch(INTERNALS);
    }
  });
});

describe("request bodies", () => {
  const post = (options: Parameters<typeof call>[2]) => call("POST", "/api/users", options);

  it("answers 400 for malformed JSON, an empty body and invalid UTF-8, and stores nothing", async () => {
    const json = { "Content-Type": "application/json" };
    const cases: [string, BodyInit, string][] = [
      ["malformed", '{"user": {"username": ', "request body is not valid JSON"],
      ["trailing garbage", '{"user": {}} x', "request body is not valid JSON"],
      ["empty", "", "request body is empty"],
      ["whitespace", "  \n ", "request body is empty"],
      ["invalid UTF-8", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), "request body is not valid UTF-8"],
    ];
    for (const [name, rawBody, message] of cases) {
      const reply = await post({ rawBody, headers: json });
      expect(reply.status, name).toBe(400);
      expect(reply.body, name).toEqual({ errors: { body: [message] } });
    }
  });

  it("answers 415 for a body that is not JSON, or JSON in another charset", async () => {
    const body = JSON.stringify({ user: { username: "x", email: "x@example.com", password: "safe-pw-1" } });
    for (const contentType of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/json; charset=latin1",
      "multipart/form-data",
    ]) {
      const reply = await post({ rawBody: body, headers: { "Content-Type": contentType } });
      expect(reply.status, contentType).toBe(415);
      expect(reply.body, contentType).toEqual({ errors: { body: ["request body must be application/json or application/xml"] } });
    }
    const none = await call("POST", "/api/users", { rawBody: body });
    expect(none.status).toBe(415);
  });

  it("accepts JSON with an explicit utf-8 charset", async () => {
    const username = unique("charset");
    const reply = await post({
      rawBody: JSON.stringify({ user: { username, email: `${username}@example.com`, password: "safe-pw-1" } }),
      headers: { "Content-Type": "application/json; charset=UTF-8" },
    });
    expect(reply.status).toBe(201);
  });

  it("answers 413 for a declared body over 1 MiB without reading it", async () => {
    const user = await registerUser();
    const before = await countArticles();
    const big = JSON.stringify({ article: { title: "t", description: "d", body: "x".repeat(1024 * 1024) } });
    const reply = await call("POST", "/api/articles", {
      token: user.token,
      rawBody: big,
      headers: { "Content-Type": "application/json", "Content-Length": String(big.length) },
    });
    expect(reply.status).toBe(413);
    expect(reply.body).toEqual({ errors: { body: ["request body is larger than 1048576 bytes"] } });
    expect(await countArticles()).toBe(before);
  });

  it("answers 413 for a chunked upload that grows past 1 MiB, and stores nothing", async () => {
    const user = await registerUser();
    const before = await countArticles();
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"article":{"title":"t","description":"d","body":"'));
      },
      pull(controller) {
        // 2 MiB in all, far past the cap; a reader that stops early never sees the end.
        if (sent >= 32) {
          controller.enqueue(new TextEncoder().encode('"}}'));
          controller.close();
          return;
        }
        sent += 1;
        controller.enqueue(chunk);
      },
    });
    const reply = await call("POST", "/api/articles", {
      token: user.token,
      rawBody: stream,
      headers: { "Content-Type": "application/json" },
    });
    expect(reply.status).toBe(413);
    expect(sent).toBeLessThan(32);
    expect(await countArticles()).toBe(before);
  });

  it("answers 422, not 500, for deeply nested JSON", async () => {
    const depth = 50_000;
    const nested = `{"user":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    const reply = await post({ rawBody: nested, headers: { "Content-Type": "application/json" } });
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({ errors: { username: ["is required"], email: ["is required"], password: ["is required"] } });
  });

  it("never shows internals for hostile input, whatever the route", async () => {
    const user = await registerUser();
    const hostile = [
      call("GET", "/api/articles?limit=99999999999999999999999"),
      call("GET", `/api/articles?author=${"a".repeat(5000)}`),
      call("GET", "/api/profiles/'%20OR%201=1--"),
      call("POST", "/api/articles", { token: user.token, body: { article: { title: { $gt: "" }, description: [], body: 1 } } }),
      call("POST", "/api/articles", { token: user.token, body: { __proto__: { admin: true }, article: null } }),
      call("DELETE", "/api/articles/x/comments/1e400", { token: user.token }),
      call("PUT", "/api/user", { token: user.token, body: { user: { email: "a@b.co\u0000" } } }),
    ];
    for (const reply of await Promise.all(hostile)) {
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
      expect(reply.text).not.toMatch(INTERNALS);
      expect(Object.keys(reply.body)).toEqual(["errors"]);
    }
    expect((await call("GET", "/api/articles")).status).toBe(200);
  });

  it("treats SQL in a filter as data: an empty page, and every table still there", async () => {
    await createArticle(await registerUser());
    const reply = await call("GET", "/api/articles?tag=%27%3B%20DROP%20TABLE%20articles%3B--&author=x%22%20OR%20%221%22=%221");
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ articles: [], articlesCount: 0 });
    expect(await countArticles()).toBeGreaterThan(0);
  });
});

describe("text that cannot be stored as sent", () => {
  it("refuses NUL and unpaired surrogates with 422 instead of storing altered text", async () => {
    const user = await registerUser();
    const before = await countArticles();
    const json = { "Content-Type": "application/json" };
    const article = (fields: string) => `{"article":{"description":"d","body":"b",${fields}}}`;
    const cases: [string, string, string, Record<string, string[]>][] = [
      [
        "POST",
        "/api/articles",
        article('"title":"lone \\ud800 surrogate"'),
        { title: ["must not contain NUL or unpaired surrogate characters"] },
      ],
      [
        "POST",
        "/api/articles",
        article('"title":"t","body":"b\\udfff"'),
        { body: ["must not contain NUL or unpaired surrogate characters"] },
      ],
      [
        "POST",
        "/api/articles",
        article('"title":"nul\\u0000here"'),
        { title: ["must not contain NUL or unpaired surrogate characters"] },
      ],
      ["POST", "/api/articles", article('"title":"line\\nbreak"'), { title: ["can't contain control characters"] }],
      [
        "POST",
        "/api/articles",
        article('"title":"t","tagList":["a\\tb"]'),
        { tagList: ["can't contain tags with control characters"] },
      ],
      ["PUT", "/api/user", '{"user":{"bio":"\\ud800"}}', { bio: ["must not contain NUL or unpaired surrogate characters"] }],
      [
        "PUT",
        "/api/user",
        '{"user":{"password":"\\udc00\\udc00\\udc00\\udc00"}}',
        { password: ["must not contain NUL or unpaired surrogate characters"] },
      ],
    ];
    for (const [method, path, rawBody, errors] of cases) {
      const reply = await call(method, path, { token: user.token, rawBody, headers: json });
      expect(reply.status, rawBody).toBe(422);
      expect(reply.body, rawBody).toEqual({ errors });
    }
    expect(await countArticles()).toBe(before);
  });

  it("keeps every script, emoji and combining marks exactly as sent", async () => {
    const user = await registerUser();
    const title = "Ünïcödé 你好 مرحبا 👩‍💻 e\u0301";
    const reply = await call("POST", "/api/articles", {
      token: user.token,
      body: { article: { title, description: "🚀\u200d", body: "multi\nline\tbody 𝄞", tagList: ["日本", "🏷️"] } },
    });
    expect(reply.status).toBe(201);
    const stored = (await call("GET", `/api/articles/${encodeURIComponent(reply.body.article.slug)}`)).body.article;
    expect(stored).toMatchObject({ title, description: "🚀\u200d", body: "multi\nline\tbody 𝄞", tagList: ["日本", "🏷️"] });
  });
});
