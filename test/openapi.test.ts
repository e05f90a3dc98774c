import { env } from "cloudflare:workers";
import { Validator } from "@cfworker/json-schema";
import { describe, expect, it } from "vitest";
import committedDocument from "../public/openapi.json?raw";
import { restPathOf, restRoutes } from "../src/api/rest";
import { app } from "../src/app";
import { buildDocument, openApiJson } from "../src/openapi/document";
import { call, type Reply, registerUser, testEnv, timing, unique } from "./support/api";
import { probeD1 } from "./support/d1";

// The OpenAPI document (served as the static asset public/openapi.json)
// against the RealWorld reference contract, and the running Worker against
// its own document: every answer a scenario below provokes must have a
// documented status, and its body must validate against the documented
// schema. A response that does not match its documentation fails.

type Json = Record<string, any>;

const doc: Json = buildDocument();

describe("public/openapi.json", () => {
  it("is the document the route declarations generate", () => {
    expect(committedDocument, "public/openapi.json is out of date: run `npm run openapi`").toBe(openApiJson());
  });
});

function resolve(node: Json, root: Json = doc): Json {
  let current = node;
  while (current && typeof current.$ref === "string") {
    const pointer = current.$ref.replace(/^#\//, "").split("/");
    current = pointer.reduce((at: Json, key: string) => at?.[key.replaceAll("~1", "/").replaceAll("~0", "~")], root);
    if (!current) throw new Error(`unresolved $ref ${node.$ref}`);
  }
  return current;
}

// The reference contract, realworld/openapi.yml (MIT), read from ../shared
// (vitest.config.ts passes it parsed): every operation with its success
// status, parameters, request and response shapes, its $refs resolved.
// Without the file, a local run skips these checks; CI fails.
type ContractOperation = {
  operationId: string;
  method: "get" | "post" | "put" | "delete";
  path: string;
  status: number;
  auth: boolean;
  parameters?: readonly { name: string; in: "path" | "query"; schema: Json }[];
  request?: Json;
  response?: Json;
};

const reference: Json | undefined = env.TEST_REALWORLD_OPENAPI;

/** A schema of the reference with every $ref replaced by what it names. */
function inlined(node: Json, root: Json, seen: string[] = []): Json {
  if (Array.isArray(node)) return node.map((item) => inlined(item, root, seen));
  if (typeof node !== "object" || node === null) return node;
  if (typeof node.$ref === "string") {
    if (seen.includes(node.$ref)) throw new Error(`recursive $ref ${node.$ref}`);
    return inlined(resolve(node, root), root, [...seen, node.$ref]);
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inlined(value, root, seen)]));
}

function contractOf(document: Json): ContractOperation[] {
  return Object.entries<Json>(document.paths).flatMap(([path, item]) =>
    Object.entries<Json>(item).map(([method, raw]) => {
      const operation = inlined(raw, document);
      const [status, success] = Object.entries<Json>(operation.responses).find(([code]) => /^2\d\d$/.test(code)) ?? [];
      return {
        operationId: operation.operationId,
        method: method as ContractOperation["method"],
        path,
        status: Number(status),
        auth: (operation.security ?? []).some((requirement: Json) => Object.keys(requirement).length > 0),
        parameters: operation.parameters,
        request: operation.requestBody?.content?.["application/json"]?.schema,
        response: success?.content?.["application/json"]?.schema,
      };
    }),
  );
}

const CONTRACT: ContractOperation[] = reference ? contractOf(reference) : [];

/** REST operations this API adds to the contract. */
const EXTENSIONS = ["get /api", "post /api/user/logout", "get /api/articles.atom", "get /api/profiles/{username}/articles.atom"];

/**
 * Mismatches between a reference schema and a generated one. A response must
 * give at least every field the contract promises (with a compatible type); a
 * request body must accept every field the contract allows and require no
 * field the contract leaves optional. The one deliberate widening is `null`
 * for unset `bio` and `image`, which the brief requires.
 */
function incompatibilities(reference: Json, generated: Json, direction: "request" | "response", at = "$"): string[] {
  const gen = resolve(generated);
  if (gen.anyOf) {
    const branches = gen.anyOf.map((branch: Json) => incompatibilities(reference, branch, direction, at));
    return branches.some((found: string[]) => found.length === 0) ? [] : branches.flat();
  }
  if (gen.type !== reference.type) return [`${at}: type ${JSON.stringify(gen.type)}, contract says ${reference.type}`];
  // `password` asks a UI to mask the field; it constrains no value.
  if (reference.format && reference.format !== "password" && gen.format !== reference.format)
    return [`${at}: format ${gen.format}, contract says ${reference.format}`];
  const found: string[] = [];
  if (reference.type === "array") found.push(...incompatibilities(reference.items, gen.items ?? {}, direction, `${at}[]`));
  if (reference.type === "object") {
    const required = new Set<string>(gen.required ?? []);
    for (const [name, property] of Object.entries<Json>(reference.properties)) {
      const generatedProperty = gen.properties?.[name];
      if (!generatedProperty) {
        found.push(`${at}.${name}: missing`);
        continue;
      }
      found.push(...incompatibilities(property, generatedProperty, direction, `${at}.${name}`));
    }
    const promised: string[] = reference.required ?? [];
    if (direction === "response") {
      for (const name of promised) if (!required.has(name)) found.push(`${at}.${name}: not required in the answer`);
    } else {
      for (const name of required) if (!promised.includes(name)) found.push(`${at}.${name}: required, contract says optional`);
    }
  }
  return found;
}

const jsonOf = (content: Json | undefined) => content?.["application/json"]?.schema as Json | undefined;

describe("the OpenAPI document", () => {
  it("is an OpenAPI 3.1 document with the Token security scheme", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(doc.components.securitySchemes.Token).toMatchObject({ type: "apiKey", in: "header", name: "Authorization" });
    expect(doc.components.securitySchemes.Bearer).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("has only $refs that resolve, unique operation ids, and a tag, a summary and a success on every operation", () => {
    const refs: string[] = [];
    JSON.stringify(doc, (key, value) => {
      if (key === "$ref") refs.push(value);
      return value;
    });
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of refs) expect(() => resolve({ $ref: ref }), ref).not.toThrow();
    const ids = new Set<string>();
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, operation] of Object.entries<Json>(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        expect(ids.has(operation.operationId), name).toBe(false);
        ids.add(operation.operationId);
        expect(operation.tags?.length, name).toBeGreaterThan(0);
        expect(operation.summary, name).toBeTruthy();
        expect(
          Object.keys(operation.responses).some((status) => /^2\d\d$/.test(status)),
          name,
        ).toBe(true);
        for (const tag of operation.tags)
          expect(
            doc.tags.map((t: Json) => t.name),
            name,
          ).toContain(tag);
      }
    }
  });

  it("documents every JSON:API operation in its media type, with its errors, parameters and auth", () => {
    expect(doc.tags.map((tag: Json) => tag.name)).toContain("JSON:API");
    const error = resolve(doc.components.schemas.JsonApiError);
    expect(error.required).toEqual(expect.arrayContaining(["status", "code", "title", "detail"]));
    expect(error.properties.status.type).toBe("string");
    expect(error.properties.source.properties.pointer).toBeDefined();
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      if (path !== "/jsonapi" && !path.startsWith("/jsonapi/")) continue;
      for (const [method, operation] of Object.entries<Json>(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        expect(operation.tags, name).toEqual(["JSON:API"]);
        for (const [status, answer] of Object.entries<Json>(operation.responses)) {
          const response = resolve(answer);
          if (status === "204" || status === "304") {
            expect(response.content, `${name} ${status}`).toBeUndefined();
            continue;
          }
          expect(Object.keys(response.content ?? {}), `${name} ${status}`).toEqual(["application/vnd.api+json"]);
          if (Number(status) >= 400) {
            expect(response.content["application/vnd.api+json"].schema.$ref, `${name} ${status}`).toBe(
              "#/components/schemas/JsonApiErrors",
            );
          }
        }
        for (const status of ["400", "401", "406", "503"]) expect(operation.responses[status], `${name} ${status}`).toBeDefined();
        if (operation.requestBody) {
          expect(Object.keys(operation.requestBody.content), name).toEqual(["application/vnd.api+json"]);
          for (const status of ["413", "415"]) expect(operation.responses[status], `${name} ${status}`).toBeDefined();
        }
        for (const placeholder of path.match(/\{\w+\}/g) ?? []) {
          const parameters = (operation.parameters ?? []).map((p: Json) => resolve(p));
          expect(
            parameters.some((p: Json) => p.in === "path" && `{${p.name}}` === placeholder && p.required),
            `${name} ${placeholder}`,
          ).toBe(true);
        }
      }
    }
    const list = doc.paths["/jsonapi/articles"].get;
    const names = list.parameters.map((p: Json) => resolve(p).name);
    for (const parameter of [
      "include",
      "fields[articles]",
      "sort",
      "filter[tag]",
      "filter[author]",
      "filter[favorited]",
      "page[limit]",
      "page[offset]",
    ])
      expect(names).toContain(parameter);
    const create = doc.paths["/jsonapi/articles"].post;
    expect(create.security).toEqual([{ Token: [] }, { Bearer: [] }]);
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(["201", "400", "401", "403", "406", "409", "413", "415", "422", "429", "503"]),
    );
    expect(doc.paths["/jsonapi/tags"].get.security).toEqual([]);
  });

  it("documents the GraphQL transport: POST and GET /graphql and the SDL", () => {
    expect(doc.tags.map((tag: Json) => tag.name)).toContain("GraphQL");
    const served = new Set(
      app.routes
        .filter((route) => (route.path === "/graphql" || route.path.startsWith("/graphql/")) && !route.path.endsWith("*"))
        .map((route) => route.path),
    );
    for (const path of served) expect(doc.paths[path], path).toBeDefined();
    const post = doc.paths["/graphql"]?.post;
    expect(post?.tags).toEqual(["GraphQL"]);
    const request = resolve(post.requestBody.content["application/json"].schema);
    expect(request.required).toEqual(["query"]);
    expect(Object.keys(request.properties).sort()).toEqual(["extensions", "operationName", "query", "variables"]);
    expect(Object.keys(post.responses).sort()).toEqual(["200", "400", "401", "405", "406", "413", "415", "429"]);
    for (const answer of Object.values<Json>(post.responses)) {
      const content = resolve(answer).content;
      expect(Object.keys(content)).toEqual(["application/graphql-response+json", "application/json"]);
      const result = resolve(content["application/json"].schema);
      expect(Object.keys(result.properties)).toEqual(expect.arrayContaining(["data", "errors"]));
    }
    expect(post.description).toContain("GRAPHQL_MAX_COST");
    expect(post.description).toContain("RESPONSE_TOO_LARGE");
    const get = doc.paths["/graphql"]?.get;
    expect(get?.parameters.map((p: Json) => p.name)).toEqual(expect.arrayContaining(["query", "operationName", "variables"]));
    expect(get.responses[200].content["text/html"]).toBeDefined();
    expect(get.responses[405]).toBeDefined();
    const sdl = doc.paths["/graphql/schema.graphql"]?.get;
    expect(sdl?.responses[200].content["text/plain"]).toBeDefined();
  });

  it("says who may call every operation, and documents a client error for every operation of the API styles", () => {
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, operation] of Object.entries<Json>(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        expect(Array.isArray(operation.security), `${name}: security (\`[]\` when public)`).toBe(true);
        // redocly.yaml turns operation-4xx-response off for the service endpoints only; this is its check for the rest.
        if (operation.tags.includes("Service")) continue;
        expect(
          Object.keys(operation.responses).some((status) => /^4\d\d$/.test(status)),
          `${name}: a 4xx`,
        ).toBe(true);
      }
    }
  });

  it("has request examples that the request schemas accept", () => {
    for (const item of Object.values<Json>(doc.paths)) {
      for (const operation of Object.values<Json>(item)) {
        const content = operation.requestBody?.content ?? {};
        const media = content["application/json"] ?? content["application/vnd.api+json"];
        if (!media) continue;
        expect(media.example, operation.operationId).toBeDefined();
        const result = validatorFor(media.schema).validate(media.example);
        expect(result.errors, operation.operationId).toEqual([]);
      }
    }
  });
});

// What generated clients (openapi-typescript and the like) make of a request
// schema: a property in `required` must be sent, one with a `default` is read
// as always present. So `required` must be exactly the fields valibot cannot
// do without, and no request property may carry a `default`.

/** Entries a valibot object may go without. */
const OMITTABLE = new Set(["optional", "exact_optional", "nullish", "undefinedable"]);
type ValibotNode = { type: string; entries?: Record<string, ValibotNode>; pipe?: ValibotNode[]; wrapped?: ValibotNode };

/** The object a schema validates first (the head of its pipes), if it is one. */
function objectOf(schema: ValibotNode): ValibotNode | null {
  let current: ValibotNode | undefined = schema;
  while (current && !current.entries) current = current.pipe?.[0];
  return current ?? null;
}

function requiredMismatches(schema: ValibotNode, json: Json, at: string): string[] {
  const object = objectOf(schema);
  if (!object?.entries) return [];
  const emitted = resolve(json);
  const mustSend = Object.entries(object.entries)
    .filter(([, entry]) => !OMITTABLE.has(entry.type))
    .map(([name]) => name);
  const found: string[] = [];
  if ([...(emitted.required ?? [])].sort().join() !== mustSend.sort().join()) {
    found.push(`${at}: required is ${JSON.stringify(emitted.required ?? [])}, valibot requires ${JSON.stringify(mustSend)}`);
  }
  for (const [name, entry] of Object.entries(object.entries)) {
    const property = emitted.properties?.[name];
    if (!property) found.push(`${at}.${name}: not in the document`);
    else
      found.push(
        ...requiredMismatches(OMITTABLE.has(entry.type) && entry.wrapped ? entry.wrapped : entry, property, `${at}.${name}`),
      );
  }
  return found;
}

/** Every `default` in a schema, its $refs followed. */
function defaultsIn(json: Json, at: string, seen = new Set<Json>()): string[] {
  const node = resolve(json);
  if (typeof node !== "object" || node === null || seen.has(node)) return [];
  seen.add(node);
  const found = "default" in node ? [at] : [];
  for (const [key, child] of Object.entries<Json>(node)) {
    if (typeof child === "object" && child !== null) found.push(...defaultsIn(child, `${at}/${key}`, seen));
  }
  return found;
}

describe("request schemas, as generated clients read them", () => {
  const withBody = restRoutes.filter((route) => route.body);

  it("require exactly the fields the valibot schemas require, at every level", () => {
    expect(withBody.length).toBeGreaterThanOrEqual(6);
    for (const route of withBody) {
      const operation = doc.paths[restPathOf(route.path)][route.method];
      const schema = jsonOf(operation.requestBody.content) as Json;
      expect(requiredMismatches(route.body!.schema as unknown as ValibotNode, schema, route.operationId)).toEqual([]);
    }
    // NewArticle: a create without tags is a valid request.
    expect(resolve(doc.components.schemas.NewArticle).required).toEqual(["title", "description", "body"]);
  });

  it("carry no `default` on a request property (the server's default is in the description)", () => {
    for (const route of withBody) {
      const operation = doc.paths[restPathOf(route.path)][route.method];
      expect(defaultsIn(jsonOf(operation.requestBody.content) as Json, route.operationId)).toEqual([]);
    }
    expect(resolve(doc.components.schemas.NewArticle).properties.tagList.description).toContain("Omitted, it is `[]`");
  });

  it("mark a query parameter required exactly when valibot requires it", () => {
    for (const route of restRoutes.filter((candidate) => candidate.query)) {
      const object = objectOf(route.query as unknown as ValibotNode);
      const operation = doc.paths[restPathOf(route.path)][route.method];
      for (const [name, entry] of Object.entries(object?.entries ?? {})) {
        const parameter = operation.parameters
          .map((p: Json) => resolve(p))
          .find((p: Json) => p.in === "query" && p.name === name);
        expect(parameter?.required, `${route.operationId} ${name}`).toBe(!OMITTABLE.has(entry.type));
      }
    }
  });

  it("are exactly the query parameters the route reads (not the domain input's other fields)", () => {
    const routes = restRoutes.filter((candidate) => candidate.query);
    expect(routes.length).toBeGreaterThanOrEqual(5);
    for (const route of routes) {
      const read = Object.keys(objectOf(route.query as unknown as ValibotNode)?.entries ?? {}).sort();
      const operation = doc.paths[restPathOf(route.path)][route.method];
      const documented = operation.parameters
        .map((p: Json) => resolve(p))
        .filter((p: Json) => p.in === "query")
        .map((p: Json) => p.name)
        .sort();
      expect(documented, route.operationId).toEqual(read);
    }
    // The list reads no `slug` (JSON:API's filter[slug] does; the domain input they share has it).
    expect(doc.paths["/api/articles"].get.parameters.map((p: Json) => resolve(p).name)).not.toContain("slug");
  });
});

describe.skipIf(!reference)("the RealWorld contract (../shared/realworld/openapi.yml) in the document", () => {
  it("is the reference contract, with every RealWorld operation", () => {
    expect(CONTRACT.length).toBeGreaterThanOrEqual(19);
    expect(CONTRACT.every((operation) => operation.operationId && operation.status >= 200)).toBe(true);
  });

  for (const contract of CONTRACT) {
    it(`${contract.operationId}: ${contract.method.toUpperCase()} /api${contract.path}`, () => {
      const operation = doc.paths[`/api${contract.path}`]?.[contract.method];
      expect(operation, "operation is documented").toBeDefined();
      expect(operation.operationId).toBe(contract.operationId);

      const success = resolve(operation.responses[contract.status] ?? {});
      expect(success.description, `documents ${contract.status}`).toBeTruthy();
      if (contract.response) {
        const schema = jsonOf(success.content);
        expect(schema, "success has a JSON schema").toBeDefined();
        expect(incompatibilities(contract.response, schema!, "response")).toEqual([]);
      } else {
        expect(success.content, "no body").toBeUndefined();
      }

      if (contract.request) {
        const body = operation.requestBody;
        expect(body?.required).toBe(true);
        expect(incompatibilities(contract.request, jsonOf(body.content)!, "request")).toEqual([]);
      } else {
        expect(operation.requestBody).toBeUndefined();
      }

      const parameters = (operation.parameters ?? []).map((p: Json) => resolve(p));
      for (const expected of contract.parameters ?? []) {
        const found = parameters.find((p: Json) => p.name === expected.name && p.in === expected.in);
        expect(found, `parameter ${expected.in} ${expected.name}`).toBeDefined();
        expect(incompatibilities(expected.schema, found.schema, "request", expected.name)).toEqual([]);
        if (expected.in === "path") expect(found.required).toBe(true);
      }

      const security: Json[] | undefined = operation.security;
      if (contract.auth) {
        expect(security?.some((requirement) => "Token" in requirement)).toBe(true);
        expect(security?.some((requirement) => Object.keys(requirement).length === 0)).toBe(false);
        expect(operation.responses[401], "documents 401").toBeDefined();
      } else {
        // Public: said with an empty list (`[]`), or anyone (`{}`) beside the token where auth is optional.
        expect(security?.length === 0 || security?.some((requirement) => Object.keys(requirement).length === 0)).toBe(true);
      }
    });
  }

  it("lists no REST operation beyond the contract but the known extensions", () => {
    const contract = new Set([...CONTRACT.map((op) => `${op.method} /api${op.path}`), ...EXTENSIONS]);
    const rest = Object.entries<Json>(doc.paths)
      .filter(([path]) => path === "/api" || path.startsWith("/api/"))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    expect(rest.filter((op) => !contract.has(op))).toEqual([]);
  });
});

// A JSON Schema validator that runs inside workerd (no code generation); the
// document's components are put beside each schema so its $refs resolve.
function validatorFor(schema: Json): Validator {
  const root = JSON.parse(JSON.stringify({ ...schema, components: doc.components }));
  return new Validator(root, "2020-12", false);
}

function findOperation(method: string, path: string): { template: string; operation: Json } {
  const pathname = new URL(path, "http://localhost").pathname;
  for (const [template, item] of Object.entries<Json>(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, "[^/]+")}$`);
    if (pattern.test(pathname) && item[method.toLowerCase()]) return { template, operation: item[method.toLowerCase()] };
  }
  throw new Error(`${method} ${pathname} is not documented`);
}

const checked = new Map<string, Set<number>>();

/** Answers whose bodies are JSON, validated against their documented schema. */
const JSON_MEDIA_TYPES = ["application/json", "application/graphql-response+json", "application/vnd.api+json"];

/** Fails unless the answer's status, media type and body are what the document says. */
function expectDocumented(method: string, path: string, reply: Reply) {
  const { template, operation } = findOperation(method, path);
  const name = `${method} ${template} → ${reply.status}`;
  const documented = operation.responses[reply.status];
  expect(documented, `${name}: status is documented`).toBeDefined();
  const response = resolve(documented);
  for (const header of ["X-Request-Id", "Server-Timing"]) {
    if (response.headers?.[header]) expect(reply.headers.get(header), `${name}: ${header}`).toBeTruthy();
  }
  const mediaType = reply.headers.get("content-type")?.split(";")[0]?.trim();
  if (!reply.text) {
    expect(response.content, `${name}: documented with a body, answered none`).toBeUndefined();
  } else {
    const media = response.content?.[mediaType ?? ""];
    expect(media, `${name}: ${mediaType} is documented`).toBeDefined();
    if (mediaType && JSON_MEDIA_TYPES.includes(mediaType)) {
      const result = validatorFor(media.schema).validate(JSON.parse(reply.text));
      expect(
        result.errors.map((e) => `${e.instanceLocation} ${e.error}`),
        `${name}: body matches the schema`,
      ).toEqual([]);
    }
  }
  const key = `${method} ${template}`;
  checked.set(key, (checked.get(key) ?? new Set()).add(reply.status));
}

async function documented(method: string, path: string, options: Parameters<typeof call>[2] = {}): Promise<Reply> {
  const reply = await call(method, path, options);
  expectDocumented(method, path, reply);
  return reply;
}

describe("real answers match the document", () => {
  it("every REST operation, its success and its errors", async () => {
    // Users.
    const name = unique("doc");
    const registered = await documented("POST", "/api/users", {
      body: { user: { username: name, email: `${name}@example.com`, password: "correct horse battery" } },
    });
    expect(registered.status).toBe(201);
    const token: string = registered.body.user.token;
    expect(
      (await documented("POST", "/api/users", { body: { user: { username: name, email: "x@example.com", password: "x" } } }))
        .status,
    ).toBe(422);
    expect(
      (await documented("POST", "/api/users", { rawBody: "{", headers: { "Content-Type": "application/json" } })).status,
    ).toBe(400);
    expect(
      (await documented("POST", "/api/users", { rawBody: "<user/>", headers: { "Content-Type": "text/plain" } })).status,
    ).toBe(415);
    const huge = JSON.stringify({ user: { username: "x".repeat(1024 * 1024 + 10) } });
    expect(
      (await documented("POST", "/api/users", { rawBody: huge, headers: { "Content-Type": "application/json" } })).status,
    ).toBe(413);
    expect(
      (
        await documented("POST", "/api/users/login", {
          body: { user: { email: `${name}@example.com`, password: "correct horse battery" } },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await documented("POST", "/api/users/login", {
          body: { user: { email: `${name}@example.com`, password: "wrong password" } },
        })
      ).status,
    ).toBe(401);
    expect((await documented("POST", "/api/users/login", { body: { user: { email: "", password: "" } } })).status).toBe(422);
    expect((await documented("GET", "/api/user", { token })).status).toBe(200);
    expect((await documented("GET", "/api/user")).status).toBe(401);
    expect((await documented("GET", "/api/user", { token: "not.a.token" })).status).toBe(401);
    expect(
      (await documented("PUT", "/api/user", { token, body: { user: { bio: "Docs", image: "https://example.com/a.png" } } }))
        .status,
    ).toBe(200);
    expect((await documented("PUT", "/api/user", { token, body: { user: {} } })).status).toBe(422);

    // Profiles.
    const other = await registerUser();
    expect((await documented("GET", `/api/profiles/${other.username}`)).status).toBe(200);
    expect((await documented("GET", `/api/profiles/${other.username}`, { token })).status).toBe(200);
    expect((await documented("GET", "/api/profiles/nobody-has-this-name")).status).toBe(404);
    expect((await documented("POST", `/api/profiles/${other.username}/follow`, { token })).status).toBe(200);
    expect((await documented("POST", `/api/profiles/${name}/follow`, { token })).status).toBe(422);
    expect((await documented("POST", "/api/profiles/nobody-has-this-name/follow", { token })).status).toBe(404);

    // Articles.
    const created = await documented("POST", "/api/articles", {
      token: other.token,
      body: { article: { title: unique("Documented "), description: "d", body: "b", tagList: ["docs"] } },
    });
    expect(created.status).toBe(201);
    const slug: string = created.body.article.slug;
    expect(
      (await documented("POST", "/api/articles", { body: { article: { title: "t", description: "d", body: "b" } } })).status,
    ).toBe(401);
    expect((await documented("POST", "/api/articles", { token, body: { article: { title: "" } } })).status).toBe(422);
    const first = await documented("GET", "/api/articles?tag=docs");
    expect(first.status).toBe(200);
    expect(first.body.articles.length).toBe(1);
    const cached = await documented("GET", "/api/articles?tag=docs");
    expect(timing(cached).cache).toBe("hit");
    expect(
      (await documented("GET", "/api/articles?tag=docs", { headers: { "If-None-Match": cached.headers.get("etag")! } })).status,
    ).toBe(304);
    expect((await documented("GET", `/api/articles?author=${other.username}&limit=5&offset=0`, { token })).status).toBe(200);
    expect((await documented("GET", "/api/articles?limit=0")).status).toBe(422);
    const feed = await documented("GET", "/api/articles/feed", { token });
    expect(feed.body.articlesCount).toBe(1);
    expect((await documented("GET", "/api/articles/feed")).status).toBe(401);
    expect((await documented("GET", "/api/articles/feed?offset=-1", { token })).status).toBe(422);
    expect((await documented("GET", `/api/articles/${slug}`)).status).toBe(200);
    expect((await documented("GET", "/api/articles/no-such-article")).status).toBe(404);
    expect((await documented("PUT", `/api/articles/${slug}`, { token, body: { article: { body: "mine now" } } })).status).toBe(
      403,
    );
    expect((await documented("PUT", "/api/articles/no-such-article", { token, body: { article: { body: "x" } } })).status).toBe(
      404,
    );
    const updated = await documented("PUT", `/api/articles/${slug}`, {
      token: other.token,
      body: { article: { body: "changed" } },
    });
    expect(updated.status).toBe(200);

    // Favorites.
    expect((await documented("POST", `/api/articles/${slug}/favorite`, { token })).status).toBe(200);
    expect((await documented("DELETE", `/api/articles/${slug}/favorite`, { token })).status).toBe(200);
    expect((await documented("POST", "/api/articles/no-such-article/favorite", { token })).status).toBe(404);

    // Comments.
    const comment = await documented("POST", `/api/articles/${slug}/comments`, { token, body: { comment: { body: "Nice" } } });
    expect(comment.status).toBe(200);
    expect((await documented("POST", `/api/articles/${slug}/comments`, { token, body: { comment: { body: " " } } })).status).toBe(
      422,
    );
    expect((await documented("GET", `/api/articles/${slug}/comments`)).status).toBe(200);
    expect((await documented("GET", "/api/articles/no-such-article/comments")).status).toBe(404);
    const commentPath = `/api/articles/${slug}/comments/${comment.body.comment.id}`;
    expect((await documented("DELETE", commentPath, { token: other.token })).status).toBe(403);
    expect((await documented("DELETE", `/api/articles/${slug}/comments/x`, { token })).status).toBe(422);
    expect((await documented("DELETE", commentPath, { token })).status).toBe(204);
    expect((await documented("DELETE", commentPath, { token })).status).toBe(404);

    // Rate limits: a client over the write limit.
    const tight = { ...testEnv, WRITE_CLIENT_LIMITER: env.TEST_TIGHT_LIMITER };
    const client = { "CF-Connecting-IP": `198.51.100.${Math.floor(Math.random() * 250) + 1}` };
    const favorite = () => documented("POST", `/api/articles/${slug}/favorite`, { token, env: tight, headers: client });
    const statuses = [];
    for (let attempt = 0; attempt < 5; attempt += 1) statuses.push((await favorite()).status);
    expect(statuses).toContain(429);

    // Feeds.
    const atom = { Accept: "application/atom+xml" };
    const atomFeed = await documented("GET", "/api/articles.atom?tag=docs", { headers: atom });
    expect(atomFeed.text).toContain(slug);
    expect(
      (await documented("GET", "/api/articles.atom", { headers: { ...atom, "If-None-Match": atomFeed.headers.get("etag")! } }))
        .status,
    ).toBe(200);
    expect(
      (
        await documented("GET", "/api/articles.atom?tag=docs", {
          headers: { ...atom, "If-Modified-Since": atomFeed.headers.get("last-modified")! },
        })
      ).status,
    ).toBe(304);
    expect((await documented("GET", `/api/articles.atom?tag=${"t".repeat(201)}`, { headers: atom })).status).toBe(422);
    expect((await documented("GET", `/api/profiles/${other.username}/articles.atom`, { headers: atom, token })).status).toBe(200);
    expect((await documented("GET", "/api/profiles/nobody-has-this-name/articles.atom", { headers: atom })).status).toBe(404);
    expect((await documented("GET", "/api/profiles/x/articles.atom", { headers: atom, token: "not.a.token" })).status).toBe(401);

    // Tags, unfollow, delete.
    expect((await documented("GET", "/api/tags")).body.tags).toContain("docs");
    expect((await documented("DELETE", `/api/profiles/${other.username}/follow`, { token })).status).toBe(200);
    expect((await documented("DELETE", `/api/articles/${slug}`, { token })).status).toBe(403);
    expect((await documented("DELETE", `/api/articles/${slug}`, { token: other.token })).status).toBe(204);

    // Logging out everywhere revokes the token.
    expect((await documented("POST", "/api/user/logout", { token: other.token })).status).toBe(204);
    expect((await documented("POST", "/api/user/logout", { token: other.token })).status).toBe(401);

    // Outages: D1 down, and no signing secret.
    const down = probeD1({ failTrip: 1 });
    expect((await documented("GET", "/api/tags", { env: down.env, headers: { "Cache-Control": "no-cache" } })).status).toBe(503);
    const unconfigured = { ...testEnv, JWT_SECRET: undefined };
    expect((await documented("GET", "/api/articles", { env: unconfigured })).status).toBe(503);

    // The index.
    expect((await documented("GET", "/api")).status).toBe(200);

    // Every REST operation was exercised.
    const operations = Object.entries<Json>(doc.paths)
      .filter(([path]) => path === "/api" || path.startsWith("/api/"))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations.filter((operation) => !checked.has(operation))).toEqual([]);
  });

  it("JSON:API: documents, errors and empty answers", async () => {
    const api = { "Content-Type": "application/vnd.api+json" };
    expect((await documented("GET", "/jsonapi")).status).toBe(200);
    const name = unique("jdoc");
    const registered = await documented("POST", "/jsonapi/users", {
      headers: api,
      body: { data: { type: "users", attributes: { username: name, email: `${name}@example.com`, password: "correct horse" } } },
    });
    expect(registered.status).toBe(201);
    const token: string = registered.body.meta.token;
    const created = await documented("POST", "/jsonapi/articles?include=author,tags", {
      token,
      headers: api,
      body: {
        data: {
          type: "articles",
          attributes: { title: unique("JSON:API doc "), description: "d", body: "b" },
          relationships: { tags: { data: [{ type: "tags", id: "jsonapi-docs" }] } },
        },
      },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.data.id;
    expect((await documented("GET", `/jsonapi/articles/${id}?include=author,tags,comments.author`)).status).toBe(200);
    expect(
      (await documented("GET", "/jsonapi/articles?filter[tag]=jsonapi-docs&page[limit]=5&fields[articles]=title")).status,
    ).toBe(200);
    expect((await documented("GET", "/jsonapi/articles?page[limit]=1000")).status).toBe(400);
    expect((await documented("GET", "/jsonapi/articles/999999999")).status).toBe(404);
    expect((await documented("GET", "/jsonapi/users/me", { token })).status).toBe(200);
    expect((await documented("GET", "/jsonapi/feed")).status).toBe(401);
    expect((await documented("GET", "/jsonapi/tags", { headers: { Accept: "text/html" } })).status).toBe(406);
    expect(
      (await documented("PATCH", `/jsonapi/articles/${id}`, { token, body: { data: { type: "articles", id } } })).status,
    ).toBe(415);
    const comment = await documented("POST", "/jsonapi/comments", {
      token,
      headers: api,
      body: {
        data: { type: "comments", attributes: { body: "Nice" }, relationships: { article: { data: { type: "articles", id } } } },
      },
    });
    expect(comment.status).toBe(201);
    expect((await documented("GET", `/jsonapi/articles/${id}/comments?include=author`)).status).toBe(200);
    expect((await documented("GET", `/jsonapi/comments/${comment.body.data.id}`)).status).toBe(200);
    expect(
      (
        await documented("POST", "/jsonapi/users/me/relationships/favorites", {
          token,
          headers: api,
          body: { data: [{ type: "articles", id }] },
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await documented("PATCH", `/jsonapi/articles/${id}`, {
          token,
          headers: api,
          body: { data: { type: "articles", id, attributes: { title: "" } } },
        })
      ).status,
    ).toBe(422);
    expect((await documented("DELETE", `/jsonapi/articles/${id}`, { token })).status).toBe(204);
  });

  it("GraphQL: results, request errors and the SDL", async () => {
    const ok = await documented("POST", "/graphql", { body: { query: "{ tags }" } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^application\/graphql-response\+json/);
    const legacy = await documented("POST", "/graphql", { body: { query: "{ tags }" }, headers: { Accept: "application/json" } });
    expect(legacy.headers.get("content-type")).toMatch(/^application\/json/);
    expect((await documented("POST", "/graphql", { body: { query: "{ tags" } })).status).toBe(400);
    expect((await documented("POST", "/graphql", { body: { query: "{ me { username } }" }, token: "not.a.token" })).status).toBe(
      401,
    );
    expect((await documented("GET", `/graphql?query=${encodeURIComponent("{ tags }")}`)).status).toBe(200);
    expect(
      (await documented("GET", `/graphql?query=${encodeURIComponent('mutation { unfavoriteArticle(slug: "x") { slug } }')}`))
        .status,
    ).toBe(405);
    expect((await documented("GET", "/graphql/schema.graphql")).status).toBe(200);
  });

  it("GET /health, GET / (JSON) and GET /openapi.json", async () => {
    const health = await documented("GET", "/health");
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: "ok", d1: "ok", kv: "ok" });
    expect(timing(health).d1).toBe(1);
    const down = probeD1({ failTrip: 1 });
    const failing = await documented("GET", "/health", { env: down.env });
    expect(failing.status).toBe(503);
    expect(failing.body).toMatchObject({ status: "degraded", d1: "error", kv: "ok" });
    const landing = await documented("GET", "/", { headers: { Accept: "application/json" } });
    expect(landing.body.links).toMatchObject({
      api: "/api",
      graphql: "/graphql",
      jsonapi: "/jsonapi",
      docs: "/docs",
      openapi: "/openapi.json",
      health: "/health",
      feed: "/api/articles.atom",
    });
    expect(landing.body.coming).toEqual({});
  });
});

describe("the HTML pages", () => {
  it("GET / gives browsers the landing page, with health and links, under its own CSP", async () => {
    const reply = await documented("GET", "/", { headers: { Accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toMatch(/^text\/html/);
    expect(reply.headers.get("vary")).toContain("Accept");
    for (const href of ["/docs", "/openapi.json", "/health"]) expect(reply.text).toContain(`href="${href}"`);
    expect(reply.text).toContain("D1: ok, KV: ok");
    // Shipped: linked, and nothing is marked as coming any more.
    expect(reply.text).toMatch(/<a href="\/graphql">GraphQL[^<]*<\/a> <code>\/graphql<\/code>/);
    expect(reply.text).toMatch(/<a href="\/jsonapi">JSON:API[^<]*<\/a> <code>\/jsonapi<\/code>/);
    expect(reply.text).not.toContain('class="coming"');
    expect(reply.text).not.toContain('class="badge"');
    const csp = reply.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain("script-src");
  });

  it("GET /docs loads the self-hosted renderer and allows only this origin", async () => {
    const reply = await call("GET", "/docs");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toMatch(/^text\/html/);
    expect(reply.text).toContain('src="/assets/swagger-ui/swagger-ui-bundle.js"');
    expect(reply.text).not.toMatch(/src="https?:/);
    const csp = reply.headers.get("content-security-policy") ?? "";
    for (const directive of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|https?:/);
  });

  it("leaves the API's CSP as it was", async () => {
    for (const path of ["/api/tags", "/health", "/api/nowhere"]) {
      const reply = await call("GET", path);
      expect(reply.headers.get("content-security-policy"), path).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });
});
