import { env } from "cloudflare:workers";
import { Lexer, Source, TokenKind } from "graphql";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, graphqlLimits } from "../src/api/graphql/limits";
import type { Env } from "../src/env";
import { call, createArticle, registerUser, testEnv, unique } from "./support/api";
import { codes, gql, onlyError } from "./support/graphql";

// What one GraphQL request may ask for: depth, aliases, cost and tokens, each
// at its bound and one past it; configuration; introspection; and the rate
// limits that batched mutations count against.

const withVars = (vars: Record<string, string>): Env => ({ ...testEnv, ...vars });

async function expectLimit(reply: Awaited<ReturnType<typeof gql>>, limit: string, max: number, actual?: number) {
  expect(reply.status).toBe(400);
  expect(reply.body.data).toBeUndefined();
  const error = onlyError(reply);
  expect(error.extensions).toEqual({
    code: limit === "tokens" ? "GRAPHQL_PARSE_FAILED" : "GRAPHQL_VALIDATION_FAILED",
    limit,
    max,
    ...(actual === undefined ? {} : { actual }),
  });
}

const ok = (reply: Awaited<ReturnType<typeof gql>>) => {
  expect(reply.body.errors, JSON.stringify(reply.body.errors)).toBeUndefined();
  expect(reply.status).toBe(200);
};

describe("configuration", () => {
  it("reads the limits from wrangler.toml [vars], with the defaults in code for anything missing or invalid", () => {
    expect(graphqlLimits(testEnv)).toEqual(DEFAULT_LIMITS);
    expect(DEFAULT_LIMITS).toEqual({ maxDepth: 10, maxAliases: 15, maxCost: 1500, maxTokens: 2000, introspection: true });
    const { GRAPHQL_MAX_DEPTH: _d, GRAPHQL_MAX_COST: _c, ...without } = env as unknown as Record<string, string>;
    expect(graphqlLimits(without as unknown as Env)).toEqual(DEFAULT_LIMITS);
    expect(
      graphqlLimits(
        withVars({
          GRAPHQL_MAX_DEPTH: "4",
          GRAPHQL_MAX_ALIASES: "0",
          GRAPHQL_MAX_COST: "lots",
          GRAPHQL_MAX_TOKENS: "-5",
          GRAPHQL_INTROSPECTION: "off",
        }),
      ),
    ).toEqual({ ...DEFAULT_LIMITS, maxDepth: 4, introspection: false });
  });
});

describe("depth", () => {
  // articles 1, edges 2, node 3, author 4, articles 5, edges 6, node 7, author 8, articles 9, totalCount 10
  const ten =
    "{ articles(first: 1) { edges { node { author { articles(first: 1) { edges { node { author { articles(first: 1) { totalCount } } } } } } } } } }";
  const eleven = ten.replace("{ totalCount }", "{ pageInfo { hasNextPage } }");

  it("allows the maximum depth (10) and refuses one more", async () => {
    ok(await gql(ten));
    await expectLimit(await gql(eleven), "depth", 10, 11);
  });

  it("counts through fragments and honours GRAPHQL_MAX_DEPTH", async () => {
    const limited = withVars({ GRAPHQL_MAX_DEPTH: "3" });
    ok(await gql("{ articles { edges { cursor } } }", { env: limited }));
    ok(
      await gql("{ ...A } fragment A on Query { articles { ...B } } fragment B on ArticleConnection { edges { cursor } }", {
        env: limited,
      }),
    );
    await expectLimit(await gql("{ articles { edges { node { slug } } } }", { env: limited }), "depth", 3, 4);
    await expectLimit(
      await gql(
        "{ ...A } fragment A on Query { articles { ...B } } fragment B on ArticleConnection { edges { node { slug } } }",
        {
          env: limited,
        },
      ),
      "depth",
      3,
      4,
    );
  });
});

describe("aliases", () => {
  const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `t${i}: __typename`).join(" ")} }`;

  it("allows the maximum number of aliases (15) and refuses one more", async () => {
    ok(await gql(aliased(15)));
    await expectLimit(await gql(aliased(16)), "aliases", 15, 16);
  });

  it("counts aliases in fragments each time they are spread, and honours GRAPHQL_MAX_ALIASES", async () => {
    const fragment = "fragment F on Query { a: __typename b: __typename c: __typename }";
    const limited = withVars({ GRAPHQL_MAX_ALIASES: "6" });
    ok(await gql(`{ ...F ... { ...F } } ${fragment}`, { env: limited }));
    await expectLimit(await gql(`{ ...F ... { ...F } x: __typename } ${fragment}`, { env: limited }), "aliases", 6, 7);
  });
});

describe("cost", () => {
  const canonical =
    "{ articles(first: 20) { edges { node { author { username } comments(first: 10) { edges { node { body author { username } } } } } } } }";

  it("prices the nested list query at 482, allows it at that bound and refuses one more", async () => {
    // 1 + (1 + 20 × (node 1 + author 1 + comments (1 + (1 + 10 × (node 1 + author 1)))))
    const atBound = withVars({ GRAPHQL_MAX_COST: "482" });
    ok(await gql(canonical, { env: atBound }));
    await expectLimit(await gql(canonical.replace("{ articles", "{ tags articles"), { env: atBound }), "cost", 482, 483);
  });

  it("prices a page by the default page size of its field when `first` is absent (20)", async () => {
    const withoutFirst = "{ articles { edges { node { comments { edges { node { body } } } } } } }";
    // 1 + (1 + 20 × (1 + (1 + (1 + 20 × 1)))) = 462: the bound the resolvers apply, not a guess.
    await expectLimit(await gql(withoutFirst, { env: withVars({ GRAPHQL_MAX_COST: "461" }) }), "cost", 461, 462);
    ok(await gql(withoutFirst, { env: withVars({ GRAPHQL_MAX_COST: "462" }) }));
  });

  it("refuses the amplification query of the review: 15 aliases of article → comments → author → articles → comments", async () => {
    const nesting = (alias: string) =>
      `${alias}: article(slug: "any") { comments { edges { node { author { articles { edges { node { comments { edges { node { body } } } } } } } } } } }`;
    const query = `{ ${Array.from({ length: 15 }, (_, index) => nesting(`a${index}`)).join(" ")} }`;
    const reply = await gql(query, { env: withVars({ GRAPHQL_MAX_DEPTH: "20" }) });
    expect(reply.status).toBe(400);
    const [refusal] = reply.body.errors ?? [];
    expect(refusal?.extensions).toMatchObject({ limit: "cost", max: 1500 });
    // 15 × 20 comments × 20 articles × 20 comments: the bound of what it could return, priced as such.
    expect(refusal?.extensions?.actual).toBeGreaterThan(15 * 20 * 20 * 20);
  });

  it("multiplies by the page size asked for, literally or in a variable", async () => {
    const query =
      "query($n: Int) { articles(first: $n) { edges { node { author { username } comments(first: 10) { edges { node { author { username } } } } } } } }";
    const limited = withVars({ GRAPHQL_MAX_COST: "482" });
    ok(await gql(query, { env: limited, variables: { n: 20 } }));
    ok(await gql(query, { env: limited }));
    await expectLimit(await gql(query, { env: limited, variables: { n: 21 } }), "cost", 482, 506);
    // The default limit allows a large page of the nested query, and refuses nesting pages in pages.
    ok(await gql(canonical.replace("first: 20", "first: 60")));
    const nested = "{ articles(first: 100) { edges { node { author { articles(first: 100) { edges { node { slug } } } } } } } }";
    await expectLimit(await gql(nested), "cost", 1500, 10402);
  });

  it("prices each mutation at 10", async () => {
    const user = await registerUser();
    const limited = withVars({ GRAPHQL_MAX_COST: "20" });
    const follow = (alias: string) => `${alias}: followUser(username: "${unique("nobody")}") { username }`;
    const two = await gql(`mutation { ${follow("a")} ${follow("b")} }`, { env: limited, token: user.token });
    expect(codes(two)).toEqual(["NOT_FOUND", "NOT_FOUND"]);
    await expectLimit(
      await gql(`mutation { ${follow("a")} ${follow("b")} ${follow("c")} }`, { env: limited, token: user.token }),
      "cost",
      20,
      30,
    );
  });
});

describe("tokens", () => {
  /** Lexical tokens of a document, as the parser counts them. */
  const count = (document: string) => {
    const lexer = new Lexer(new Source(document));
    let n = 0;
    while (lexer.advance().kind !== TokenKind.EOF) n++;
    return n;
  };
  // A mutation with a long list literal: each string is one token.
  const withTokens = (n: number) => {
    const document = (k: number) =>
      `mutation { createArticle(input: { title: "t", description: "d", body: "b", tagList: [${' "x"'.repeat(k)}] }) { slug } }`;
    const query = document(n - count(document(0)));
    expect(count(query)).toBe(n);
    return query;
  };

  it("allows the maximum number of tokens (2000) and stops parsing at one more", async () => {
    // Parsed, validated and run (refused by the domain: no token).
    const atBound = await gql(withTokens(2000));
    expect([atBound.status, codes(atBound)]).toEqual([200, ["UNAUTHENTICATED"]]);
    await expectLimit(await gql(withTokens(2001)), "tokens", 2000);
  });

  it("honours GRAPHQL_MAX_TOKENS, in both media types", async () => {
    const limited = withVars({ GRAPHQL_MAX_TOKENS: "3" });
    ok(await gql("{ tags }", { env: limited }));
    await expectLimit(await gql("{ tags tags }", { env: limited }), "tokens", 3);
    const legacy = await gql("{ tags tags }", { env: limited, accept: "application/json" });
    expect([legacy.status, codes(legacy)]).toEqual([200, ["GRAPHQL_PARSE_FAILED"]]);
  });
});

describe("introspection", () => {
  it("is on by default", async () => {
    ok(await gql("{ __schema { queryType { name } } }"));
  });

  it("is refused, with no suggestions and no published SDL, when GRAPHQL_INTROSPECTION is false", async () => {
    const off = withVars({ GRAPHQL_INTROSPECTION: "false" });
    const refused = await gql("{ __schema { queryType { name } } }", { env: off });
    expect(refused.status).toBe(400);
    expect(new Set(codes(refused))).toEqual(new Set(["GRAPHQL_VALIDATION_FAILED"]));
    expect((await gql('{ __type(name: "Article") { name } }', { env: off })).status).toBe(400);
    const typo = await gql("{ tag }", { env: off });
    expect(onlyError(typo).message).not.toContain("Did you mean");
    expect(onlyError(await gql("{ tag }")).message).toContain("Did you mean");
    ok(await gql("{ __typename }", { env: off }));
    expect((await call("GET", "/graphql/schema.graphql", { env: off })).status).toBe(404);
  });
});

// The tight limiter counts in one-minute windows; a try that straddles two is retried (see test/limits.test.ts).
describe("rate limits", { retry: 2 }, () => {
  const tight = (binding: "AUTH_ACCOUNT_LIMITER" | "WRITE_CLIENT_LIMITER" | "GRAPHQL_CLIENT_LIMITER"): Env => ({
    ...testEnv,
    [binding]: env.TEST_TIGHT_LIMITER,
  });
  const from = () => ({ "CF-Connecting-IP": `198.51.100.${Math.floor(Math.random() * 250) + 1}-${unique("c")}` });

  it("counts every `login` alias against the login limits: past the limit, RATE_LIMITED with Retry-After", async () => {
    const user = await registerUser();
    const attempts = Array.from(
      { length: 5 },
      (_, i) =>
        `l${i}: login(input: { email: "${user.email}", password: "${i < 4 ? "wrong password" : user.password}" }) { username }`,
    );
    const reply = await gql(`mutation { ${attempts.join(" ")} }`, { env: tight("AUTH_ACCOUNT_LIMITER"), headers: from() });
    expect(reply.status).toBe(200);
    // The tight test limiter allows 3 a minute; the right password comes too late.
    expect(codes(reply)).toEqual(["UNAUTHENTICATED", "UNAUTHENTICATED", "UNAUTHENTICATED", "RATE_LIMITED", "RATE_LIMITED"]);
    expect(reply.body.data).toEqual({ l0: null, l1: null, l2: null, l3: null, l4: null });
    expect(reply.headers.get("retry-after")).toBe("60");
    expect(reply.body.errors?.[3]?.message).toBe("too many attempts, please wait a minute and retry");
  });

  it("counts each mutation against the per-client write limit, and queries not at all", async () => {
    const user = await registerUser();
    const limited = tight("WRITE_CLIENT_LIMITER");
    const client = from();
    for (let i = 0; i < 5; i++) ok(await gql("{ tags }", { env: limited, headers: client, token: user.token }));
    const bio = (alias: string) => `${alias}: updateUser(input: { bio: "${alias}" }) { bio }`;
    const reply = await gql(`mutation { ${bio("a")} ${bio("b")} ${bio("c")} ${bio("d")} }`, {
      env: limited,
      headers: client,
      token: user.token,
    });
    expect(reply.body.data).toEqual({ a: { bio: "a" }, b: { bio: "b" }, c: { bio: "c" }, d: null });
    expect(codes(reply)).toEqual(["RATE_LIMITED"]);
  });

  it("counts every request, queries too, against the per-client GraphQL budget: past it, 429 RATE_LIMITED", async () => {
    const limited = tight("GRAPHQL_CLIENT_LIMITER");
    const client = from();
    // The tight test limiter allows 3 a minute per client.
    for (let i = 0; i < 3; i++) ok(await gql("{ tags }", { env: limited, headers: client }));
    const refused = await gql("{ tags }", { env: limited, headers: client });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(codes(refused)).toEqual(["RATE_LIMITED"]);
    expect(refused.body.data).toBeUndefined();
    // Another client has its own budget.
    ok(await gql("{ tags }", { env: limited, headers: from() }));
  });
});

describe("response size", () => {
  it("refuses as a whole a response past 4 MiB, however cheap the query is priced; below it answers", async () => {
    const author = await registerUser();
    const tag = unique("big");
    // 5 articles of the largest body (100,000 characters): each alias of the list returns 0.5 MB.
    for (let i = 0; i < 5; i++) await createArticle(author, { body: `${i}${"x".repeat(99_999)}`, tagList: [tag] });
    const aliases = (count: number) =>
      `{ ${Array.from({ length: count }, (_, i) => `a${i}: articles(tag: "${tag}", first: 5) { edges { node { body } } }`).join(" ")} }`;
    const fits = await gql(aliases(8));
    ok(fits);
    expect(fits.text.length).toBeGreaterThan(4_000_000);
    expect(fits.text.length).toBeLessThan(4 * 1024 * 1024);
    const tooLarge = await gql(aliases(9));
    expect(tooLarge.status).toBe(200);
    expect(tooLarge.text.length).toBeLessThan(1_000);
    expect(tooLarge.body).toEqual({
      data: null,
      errors: [
        {
          message: "the response would exceed 4194304 bytes: ask for fewer or smaller pages",
          extensions: { code: "RESPONSE_TOO_LARGE", limit: "response", max: 4194304 },
        },
      ],
    });
  });
});

describe("bounds", () => {
  it("every list of objects in the schema is the edges of a connection whose field takes `first`", async () => {
    const { buildSchema, getNamedType, isListType, isNonNullType, isObjectType } = await import("graphql");
    const { typeDefs } = await import("../src/api/graphql/sdl");
    const schema = buildSchema(typeDefs);
    const connections = new Set<string>();
    const paged: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith("__")) continue;
      for (const field of Object.values(type.getFields())) {
        const unwrapped = isNonNullType(field.type) ? field.type.ofType : field.type;
        const named = getNamedType(field.type);
        if (isObjectType(named) && "edges" in named.getFields()) {
          expect(
            field.args.map((argument) => argument.name),
            `${type.name}.${field.name}`,
          ).toContain("first");
          connections.add(named.name);
          paged.push(`${type.name}.${field.name}`);
        }
        if (isListType(unwrapped) && isObjectType(named)) {
          expect([type.name, field.name], "a list of objects outside a connection").toEqual([type.name, "edges"]);
          expect(type.name).toMatch(/Connection$/);
        }
      }
    }
    expect(paged.sort()).toEqual(["Article.comments", "Profile.articles", "Query.articles", "Query.comments", "Query.feed"]);
    expect([...connections].sort()).toEqual(["ArticleConnection", "CommentConnection"]);
  });
});
