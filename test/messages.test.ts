import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { ArticleListParams, PageParams } from "../src/api/query-params";
import {
  CommentParams,
  LoginBody,
  NewArticleBody,
  NewCommentBody,
  RegisterBody,
  UpdateArticleBody,
  UpdateUserBody,
} from "../src/api/rest/schemas";
import { fieldMessages } from "../src/api/validate";
import { call, registerUser } from "./support/api";
import { gql } from "./support/graphql";
import { expectErrors, jsonapi, registerJsonApi, resource } from "./support/jsonapi";

// RealWorld frontends show a validation error as `${field} ${message}`
// ("title can't be blank"), so every field message is the rest of a sentence
// whose subject is the field: it starts with a verb. Checked on every message
// the input schemas can produce, and on the domain's own, in every style.

const VERB = /^(?:is|are|must|can't|cannot|may|has|needs)\b/;

/** Every message written into a schema tree (schemas, validations, their pipes and entries). */
function declaredMessages(node: unknown, found = new Set<string>(), seen = new Set<unknown>()): Set<string> {
  if (typeof node !== "object" || node === null || seen.has(node)) return found;
  seen.add(node);
  const record = node as Record<string, unknown>;
  if (typeof record.message === "string" && typeof record.kind === "string") found.add(record.message);
  for (const key of ["pipe", "entries", "item", "wrapped", "options", "rest"]) {
    const child = record[key];
    const children = Array.isArray(child)
      ? child
      : typeof child === "object" && child !== null && key === "entries"
        ? Object.values(child)
        : [child];
    for (const each of children) declaredMessages(each, found, seen);
  }
  return found;
}

/** What a request schema says to wrong values of each of its fields (types, lengths, characters). */
function probedMessages(schema: v.GenericSchema, envelope: Record<string, unknown> | null): Set<string> {
  const found = new Set<string>();
  const values = [undefined, null, 1, true, "", " ", "x".repeat(100_001), "\u0000", "\u0007", [], [""], [1], {}, "no"];
  const entries = (schema as unknown as { entries?: Record<string, unknown> }).entries ?? {};
  const inner = envelope ? Object.keys(entries)[0] : undefined;
  const fields = inner ? Object.keys((entries[inner] as { entries?: object }).entries ?? { [inner]: 1 }) : Object.keys(entries);
  const probes: unknown[] = [undefined, null, "x", [], {}];
  for (const field of fields) {
    for (const value of values) probes.push(inner ? { [inner]: { [field]: value } } : { [field]: value });
  }
  if (inner) probes.push({ [inner]: {} }, { [inner]: "x" });
  for (const probe of probes) {
    const result = v.safeParse(schema, probe, { abortPipeEarly: true });
    if (!result.success)
      for (const messages of Object.values(fieldMessages(result.issues))) for (const m of messages) found.add(m);
  }
  return found;
}

const BODIES = { LoginBody, RegisterBody, UpdateUserBody, NewArticleBody, UpdateArticleBody, NewCommentBody };
const PARAMS = { ArticleListParams, PageParams, CommentParams };

describe("field messages", () => {
  it("every message the request schemas declare or produce reads as a sentence after its field's name", () => {
    const messages = new Set<string>();
    for (const schema of [...Object.values(BODIES), ...Object.values(PARAMS)]) {
      for (const message of declaredMessages(schema)) messages.add(message);
    }
    for (const schema of Object.values(BODIES)) for (const message of probedMessages(schema, {})) messages.add(message);
    for (const schema of Object.values(PARAMS)) for (const message of probedMessages(schema, null)) messages.add(message);
    expect(messages.size).toBeGreaterThan(25);
    expect([...messages].filter((message) => !VERB.test(message))).toEqual([]);
  });

  it("the domain's own messages do too, in REST, XML, JSON:API and GraphQL", async () => {
    const user = await registerUser();
    // REST: taken, follow yourself, nothing to change.
    const taken = await call("POST", "/api/users", {
      body: { user: { username: user.username, email: "other@example.com", password: "long enough" } },
    });
    expect(taken.body).toEqual({ errors: { username: ["has already been taken"] } });
    const self = await call("POST", `/api/profiles/${user.username}/follow`, { token: user.token });
    expect(self.body).toEqual({ errors: { username: ["is your own: you cannot follow yourself"] } });
    const nothing = await call("PUT", "/api/user", { token: user.token, body: { user: {} } });
    expect(nothing.body).toEqual({ errors: { user: ["needs at least one field"] } });
    const wrong = await call("POST", "/api/users/login", { body: { user: { email: user.email, password: "not the password" } } });
    expect(wrong.body).toEqual({ errors: { "email or password": ["is invalid"] } });
    // XML: the same messages.
    const xml = await call("POST", `/api/profiles/${user.username}/follow`, {
      token: user.token,
      headers: { Accept: "application/xml" },
    });
    expect(xml.text).toContain('<error field="username">is your own: you cannot follow yourself</error>');
    // JSON:API: the detail is the sentence.
    const member = await registerJsonApi(`${user.username}j`);
    const details = expectErrors(
      await jsonapi("PATCH", "/jsonapi/users/me", { token: member.token, body: resource("users", { id: "me", attributes: {} }) }),
      422,
    ).map((error) => error.detail);
    expect(details).toEqual(["attributes needs at least one field"]);
    // GraphQL: the message is the sentence; extensions.fields has field and message apart.
    const graphql = await gql(`mutation { followUser(username: "${user.username}") { username } }`, { token: user.token });
    expect(graphql.body.errors?.[0]).toMatchObject({
      message: "username is your own: you cannot follow yourself",
      extensions: { code: "BAD_USER_INPUT", fields: { username: ["is your own: you cannot follow yourself"] } },
    });
  });
});
