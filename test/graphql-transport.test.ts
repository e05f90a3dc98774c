import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { getIntrospectionQuery } from "graphql";
import { serverAudits } from "graphql-http";
import { describe, expect, it, vi } from "vitest";
import committedSdl from "../schema.graphql?raw";
import { schemaSdl } from "../src/api/graphql/schema";
import { app } from "../src/app";
import { call, registerUser, testEnv, unique } from "./support/api";
import { codes, gql, onlyError } from "./support/graphql";

// GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/): the
// graphql-http audit suite, then each rule on its own: methods, media types
// and status codes, malformed requests, auth, CORS, the IDE and the SDL.

const GRAPHQL_RESPONSE = "application/graphql-response+json; charset=utf-8";
const JSON_TYPE = "application/json; charset=utf-8";

const fetchFn = async (input: RequestInfo | URL, init?: RequestInit) => {
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(input, init), testEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
};

const post = (body: string | undefined, headers: Record<string, string> = { "Content-Type": "application/json" }) =>
  call("POST", "/graphql", { rawBody: body, headers });

describe("the GraphQL-over-HTTP audit (graphql-http)", () => {
  it("passes every MUST; of the SHOULDs, only the two about a missing or `*/*` Accept are answered otherwise, by choice", async () => {
    const results = await Promise.all(serverAudits({ url: "http://localhost/graphql", fetchFn }).map((audit) => audit.fn()));
    expect(results.length).toBeGreaterThan(50);
    expect(results.filter((result) => result.status === "error")).toEqual([]);
    // Those two predate the specification's 2025 switch of default: without an
    // Accept that asks for application/json we answer application/graphql-response+json.
    expect(results.filter((result) => result.status !== "ok").map((result) => result.id)).toEqual(["47DE", "80D8"]);
  });
});

describe("media types", () => {
  const typeFor = async (accept?: string) => {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (accept !== undefined) headers.Accept = accept;
    const reply = await post(JSON.stringify({ query: "{ __typename }" }), headers);
    return [reply.status, reply.headers.get("content-type")];
  };

  it("answers application/graphql-response+json by default and application/json when the client prefers it", async () => {
    expect(await typeFor()).toEqual([200, GRAPHQL_RESPONSE]);
    expect(await typeFor("*/*")).toEqual([200, GRAPHQL_RESPONSE]);
    expect(await typeFor("application/*")).toEqual([200, GRAPHQL_RESPONSE]);
    expect(await typeFor("application/graphql-response+json")).toEqual([200, GRAPHQL_RESPONSE]);
    expect(await typeFor("application/graphql-response+json, application/json;q=0.9")).toEqual([200, GRAPHQL_RESPONSE]);
    expect(await typeFor("application/json")).toEqual([200, JSON_TYPE]);
    expect(await typeFor("application/json; charset=utf-8")).toEqual([200, JSON_TYPE]);
    expect(await typeFor("application/json, text/plain, */*")).toEqual([200, JSON_TYPE]);
    expect(await typeFor("application/graphql-response+json;q=0.5, application/json")).toEqual([200, JSON_TYPE]);
  });

  it("answers 406, as a GraphQL error, when the Accept allows neither", async () => {
    for (const accept of ["application/xml", "text/html", "application/json; charset=iso-8859-1", "application/json;q=0"]) {
      const reply = await post(JSON.stringify({ query: "{ __typename }" }), {
        "Content-Type": "application/json",
        Accept: accept,
      });
      expect(reply.status, accept).toBe(406);
      expect(reply.headers.get("content-type")).toBe(GRAPHQL_RESPONSE);
      expect(codes(reply)).toEqual(["NOT_ACCEPTABLE"]);
    }
  });

  it("accepts a request body declared as UTF-8 and answers in UTF-8", async () => {
    const user = await registerUser({ username: unique("ünï"), email: `${unique("utf")}@example.com` });
    const reply = await post(JSON.stringify({ query: `{ profile(username: "${user.username}") { username } }` }), {
      "Content-Type": "application/json; charset=UTF-8",
    });
    expect(reply.body).toEqual({ data: { profile: { username: user.username } } });
  });
});

describe("status codes", () => {
  const cases: [string, unknown, string][] = [
    ["a syntax error", { query: "{ articles " }, "GRAPHQL_PARSE_FAILED"],
    ["a validation error", { query: "{ nope }" }, "GRAPHQL_VALIDATION_FAILED"],
    [
      "a variable that does not coerce",
      { query: "query($n: Int!) { articles(first: $n) { totalCount } }", variables: { n: "x" } },
      "BAD_USER_INPUT",
    ],
    ["a missing variable", { query: "query($slug: String!) { article(slug: $slug) { slug } }" }, "BAD_USER_INPUT"],
    ["an unknown operation name", { query: "query A { tags }", operationName: "B" }, "BAD_USER_INPUT"],
    ["several operations and no name", { query: "query A { tags } query B { tags }" }, "BAD_USER_INPUT"],
    ["a subscription (there are none)", { query: "subscription { tags }" }, "GRAPHQL_VALIDATION_FAILED"],
  ];

  it("refuses a request that does not execute: 400 without data in application/graphql-response+json", async () => {
    for (const [what, body, code] of cases) {
      const reply = await post(JSON.stringify(body), {
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json",
      });
      expect(reply.status, what).toBe(400);
      expect(reply.body.data, what).toBeUndefined();
      expect(codes(reply)[0], what).toBe(code);
      expect(reply.body.errors[0].message, what).toEqual(expect.any(String));
    }
  });

  it("answers the same requests with 200 in application/json, as the specification asks", async () => {
    for (const [what, body, code] of cases) {
      const reply = await post(JSON.stringify(body), { "Content-Type": "application/json", Accept: "application/json" });
      expect(reply.status, what).toBe(200);
      expect(reply.body.data, what).toBeUndefined();
      expect(codes(reply)[0], what).toBe(code);
    }
  });

  it("answers 200 with data for anything that executed, field errors included, in both media types", async () => {
    for (const accept of ["application/graphql-response+json", "application/json"]) {
      const reply = await gql('{ tags article(slug: "no-such-article") { slug } }', { accept });
      expect(reply.status).toBe(200);
      expect(reply.body.data).toEqual({ tags: expect.any(Array), article: null });
      expect(codes(reply)).toEqual(["NOT_FOUND"]);
      const user = await gql("{ me { username } }", { accept });
      expect([user.status, user.body.data]).toEqual([200, { me: null }]);
    }
  });

  it("gives error locations and paths", async () => {
    const reply = await gql('query {\n  tags\n  article(slug: "no-such-article") { slug }\n}');
    expect(onlyError(reply)).toMatchObject({ path: ["article"], locations: [{ line: 3, column: 3 }] });
  });
});

describe("malformed requests", () => {
  it("answers 400 to parameters that are not a GraphQL request, whatever the Accept", async () => {
    const bodies = [
      "{ not json",
      "[]",
      "null",
      JSON.stringify({}),
      JSON.stringify({ qeury: "{ tags }" }),
      JSON.stringify({ query: { a: 1 } }),
      JSON.stringify({ query: 1 }),
      JSON.stringify({ query: null }),
      JSON.stringify({ query: "{ tags }", operationName: 1 }),
      JSON.stringify({ query: "{ tags }", variables: "{}" }),
      JSON.stringify({ query: "{ tags }", variables: [] }),
      JSON.stringify({ query: "{ tags }", extensions: "x" }),
      JSON.stringify({ query: "{ tags }", extensions: [1] }),
      // Not supported (README, GraphQL): batching (a JSON array of requests), and persisted queries sent by hash alone.
      JSON.stringify([{ query: "{ tags }" }, { query: "{ __typename }" }]),
      JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: "a".repeat(64) } } }),
    ];
    for (const accept of ["application/graphql-response+json", "application/json"]) {
      for (const body of bodies) {
        const reply = await post(body, { "Content-Type": "application/json", Accept: accept });
        expect(reply.status, body).toBe(400);
        expect(reply.headers.get("content-type")).toBe(accept === "application/json" ? JSON_TYPE : GRAPHQL_RESPONSE);
        expect(codes(reply), body).toEqual(["BAD_REQUEST"]);
        expect(reply.body.data).toBeUndefined();
      }
    }
  });

  it("allows null and absent optional parameters, and ignores extensions", async () => {
    const body = {
      query: "{ __typename }",
      operationName: null,
      variables: null,
      extensions: { persistedQuery: { version: 1 } },
    };
    expect((await post(JSON.stringify(body))).body).toEqual({ data: { __typename: "Query" } });
  });

  it("answers 400 to an empty body, 415 to one that is not JSON, 413 to one over 1 MiB", async () => {
    expect((await post(undefined)).status).toBe(400);
    expect((await post("")).status).toBe(400);
    const notJson = await post("query { tags }", { "Content-Type": "application/graphql" });
    expect([notJson.status, codes(notJson)]).toEqual([415, ["UNSUPPORTED_MEDIA_TYPE"]]);
    expect((await post(JSON.stringify({ query: "{ tags }" }), {})).status).toBe(415);
    const huge = JSON.stringify({ query: `{ tags } # ${"x".repeat(1024 * 1024)}` });
    const tooLarge = await post(huge);
    expect([tooLarge.status, codes(tooLarge)]).toEqual([413, ["PAYLOAD_TOO_LARGE"]]);
  });

  it("answers 405 to methods other than GET and POST, with Allow", async () => {
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const reply = await call(method, "/graphql", { body: { query: "{ tags }" } });
      expect(reply.status, method).toBe(405);
      expect(reply.headers.get("allow")).toBe("GET, POST");
      expect(codes(reply)).toEqual(["METHOD_NOT_ALLOWED"]);
    }
  });

  it("answers 404 as a GraphQL error under /graphql/", async () => {
    const reply = await call("GET", "/graphql/nothing-here");
    expect([reply.status, codes(reply)]).toEqual([404, ["NOT_FOUND"]]);
  });
});

describe("GET", () => {
  it("runs queries, with variables and operationName as URL parameters", async () => {
    const user = await registerUser();
    const reply = await gql("query Other { tags } query Mine($name: String!) { profile(username: $name) { username } }", {
      method: "GET",
      variables: { name: user.username },
      operationName: "Mine",
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ data: { profile: { username: user.username } } });
    expect(reply.headers.get("content-type")).toBe(GRAPHQL_RESPONSE);
  });

  it("refuses mutations with 405 and Allow: POST, and runs nothing", async () => {
    const user = await registerUser();
    const name = unique("viaget");
    const reply = await gql(`mutation { updateUser(input: { username: "${name}" }) { username } }`, {
      method: "GET",
      token: user.token,
    });
    expect(reply.status).toBe(405);
    expect(reply.headers.get("allow")).toBe("POST");
    expect(codes(reply)).toEqual(["METHOD_NOT_ALLOWED"]);
    expect((await gql("{ me { username } }", { token: user.token })).body.data.me.username).toBe(user.username);
    // The operation named decides: a query beside a mutation may run.
    const query = await gql('mutation M { deleteArticle(slug: "x") } query Q { __typename }', {
      method: "GET",
      operationName: "Q",
    });
    expect(query.body).toEqual({ data: { __typename: "Query" } });
  });

  it("reads an empty operationName as none, and names an operation it cannot find", async () => {
    const query = encodeURIComponent("query A { __typename }");
    expect((await call("GET", `/graphql?query=${query}&operationName=`)).body).toEqual({ data: { __typename: "Query" } });
    const unknown = await call("GET", `/graphql?query=${query}&operationName=B`);
    expect([unknown.status, codes(unknown)]).toEqual([400, ["BAD_USER_INPUT"]]);
    expect(onlyError(unknown).message).toBe('Unknown operation named "B".');
  });

  it("answers 400 to a GET without a query or with variables that are not JSON", async () => {
    expect((await call("GET", "/graphql")).status).toBe(400);
    expect((await call("GET", "/graphql", { headers: { Accept: "application/json" } })).status).toBe(400);
    const badVariables = await call("GET", `/graphql?query=${encodeURIComponent("{ tags }")}&variables=%7Bnope`);
    expect([badVariables.status, codes(badVariables)]).toEqual([400, ["BAD_REQUEST"]]);
  });
});

describe("auth", () => {
  it("accepts `Token` and `Bearer` in the Authorization header, as REST", async () => {
    const user = await registerUser();
    for (const scheme of ["Token", "Bearer"]) {
      const reply = await gql("{ me { username } }", { headers: { Authorization: `${scheme} ${user.token}` } });
      expect(reply.body.data.me.username, scheme).toBe(user.username);
    }
  });

  it("answers 401 UNAUTHENTICATED before parsing when the token is present but invalid", async () => {
    for (const accept of ["application/graphql-response+json", "application/json"]) {
      for (const [header, message] of [
        ["Token not.a.jwt", "token is invalid or expired"],
        // A malformed token is an invalid token, as REST says it, not a header-format error.
        ["Token not-a-jwt", "token is invalid or expired"],
        ["Bearer abc.def", "token is invalid or expired"],
        ["Basic abc", "Authorization must be 'Token <jwt>' or 'Bearer <jwt>'"],
        ["Token", "Authorization must be 'Token <jwt>' or 'Bearer <jwt>'"],
      ] as const) {
        const reply = await gql("{ tags }", { accept, headers: { Authorization: header } });
        expect(reply.status, header).toBe(401);
        expect(reply.headers.get("www-authenticate")).toBe('Token realm="conduit"');
        expect(reply.body.data).toBeUndefined();
        expect(codes(reply)).toEqual(["UNAUTHENTICATED"]);
        expect(onlyError(reply).message, header).toBe(message);
        const rest = await call("GET", "/api/tags", { headers: { Authorization: header } });
        expect(rest.body, `REST says the same for ${header}`).toEqual({ errors: { body: [message] } });
      }
    }
  });

  it("answers 503 SERVICE_UNAVAILABLE while the Worker has no signing secret", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { JWT_SECRET: _, ...withoutSecret } = testEnv;
    const reply = await gql("{ tags }", { env: withoutSecret });
    expect([reply.status, codes(reply)]).toEqual([503, ["SERVICE_UNAVAILABLE"]]);
    expect(onlyError(reply).message).toBe("the service is not configured");
  });
});

describe("headers", () => {
  it("answers preflights and sends CORS headers as REST does", async () => {
    const preflight = await call("OPTIONS", "/graphql", {
      headers: {
        Origin: "https://app.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    const reply = await gql("{ tags }", { headers: { Origin: "https://app.example" } });
    expect(reply.headers.get("access-control-allow-origin")).toBe("*");
    expect(reply.headers.get("access-control-expose-headers")).toContain("Server-Timing");
  });

  it("sends Server-Timing, a request id, no-store and the security headers", async () => {
    const reply = await gql("{ tags }", { headers: { "X-Request-Id": "gql-request-1" } });
    expect(reply.headers.get("server-timing")).toMatch(/cache;desc=bypass, d1;desc=1;dur=[\d.]+/);
    expect(reply.headers.get("x-request-id")).toBe("gql-request-1");
    expect(reply.headers.get("cache-control")).toBe("no-store");
    expect(reply.headers.get("x-content-type-options")).toBe("nosniff");
    expect(reply.headers.get("content-security-policy")).toContain("default-src 'none'");
  });
});

describe("developer experience", () => {
  it("serves the GraphiQL IDE to browsers on GET /graphql, from static assets", async () => {
    const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    for (const path of ["/graphql", `/graphql?query=${encodeURIComponent("{ tags }")}`]) {
      const reply = await call("GET", path, { headers: { Accept: browser } });
      expect(reply.status).toBe(200);
      expect(reply.headers.get("content-type")).toMatch(/^text\/html/);
      expect(reply.text).toContain('<script src="/assets/graphiql/graphiql.min.js"></script>');
      expect(reply.text).toContain('<script src="/assets/graphql-ide.js"></script>');
      const csp = reply.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain("unsafe-eval");
    }
    // The IDE needs no token, and a client that wants JSON never gets it.
    const api = await call("GET", `/graphql?query=${encodeURIComponent("{ __typename }")}`, { headers: { Accept: "*/*" } });
    expect(api.body).toEqual({ data: { __typename: "Query" } });
    expect((await call("POST", "/graphql", { body: { query: "{ __typename }" }, headers: { Accept: browser } })).body).toEqual({
      data: { __typename: "Query" },
    });
  });

  it("serves the SDL at /graphql/schema.graphql, the same as the committed schema.graphql", async () => {
    const reply = await call("GET", "/graphql/schema.graphql");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(reply.text).toBe(schemaSdl());
    expect(committedSdl, "schema.graphql is out of date: run `npm run graphql:sdl`").toBe(schemaSdl());
    const etag = reply.headers.get("etag") ?? "";
    expect((await call("GET", "/graphql/schema.graphql", { headers: { "If-None-Match": etag } })).status).toBe(304);
  });

  it("answers the full introspection query GraphiQL sends, within the limits", async () => {
    const reply = await gql(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true }));
    expect(reply.status).toBe(200);
    expect(reply.body.errors).toBeUndefined();
    const types = reply.body.data.__schema.types.map((type: { name: string }) => type.name);
    expect(types).toEqual(
      expect.arrayContaining(["Query", "Mutation", "Article", "Profile", "Comment", "User", "ArticleConnection"]),
    );
  });
});
