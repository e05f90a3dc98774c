import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it, vi } from "vitest";
import devVarsExample from "../.dev.vars.example?raw";
import { CLOCK_TOLERANCE_SECONDS, keyOf } from "../src/domain/tokens";
import { EXAMPLE_JWT_SECRET } from "../src/env";
import { call, registerUser, type TestUser, testEnv, unique } from "./support/api";
import { count, rows } from "./support/d1";

// Registration, login, the current user and its updates, and every way a token
// can be wrong.

const SECRET = new TextEncoder().encode(env.JWT_SECRET);
const KID = (await keyOf(env.JWT_SECRET)).kid;
const ISSUER = "conduit-edge";
const AUDIENCE = "conduit-edge-api";

type Claims = { sub?: string; ver?: number; iss?: string; aud?: string; iat?: number; exp?: number };
type Header = { alg?: string; typ?: string; kid?: string };

async function signToken(claims: Claims, secret: Uint8Array = SECRET, header: Header = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 3600, ver: 0, ...claims };
  return new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "JWT", kid: KID, ...header }).sign(secret);
}

const base64url = (value: unknown) => btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

type UserRow = { id: number; username: string; email: string; password_hash: string; bio: string | null; token_version: number };
/** The stored user, or null when there is none. */
const userRow = async (username: string) =>
  (
    await rows<UserRow>(
      "SELECT id, username, email, password_hash, bio, image, token_version FROM users WHERE username = ?",
      username,
    )
  )[0] ?? null;

const countUsers = () => count("SELECT count(*) AS n FROM users");

describe("POST /api/users (register)", () => {
  it("creates the user and answers 201 with exactly the contract's user fields and a token", async () => {
    const username = unique("Reg");
    const reply = await call("POST", "/api/users", {
      body: { user: { username, email: `${username}@Example.com`, password: "correct horse battery" } },
    });
    expect(reply.status).toBe(201);
    expect(Object.keys(reply.body.user).sort()).toEqual(["bio", "email", "image", "token", "username"]);
    expect(reply.body.user).toMatchObject({ username, email: `${username}@Example.com`, bio: null, image: null });
    expect(reply.body.user.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(reply.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });

  it("stores a versioned salted PBKDF2 hash, never the password", async () => {
    const user = await registerUser({ password: "correct horse battery" });
    const row = await userRow(user.username);
    expect(row?.password_hash).toMatch(/^pbkdf2-sha256\$100000x6\$[\w-]{22}\$[\w-]{43}$/);
    expect(row?.password_hash).not.toContain("correct horse battery");
    const other = await registerUser({ password: "correct horse battery" });
    expect((await userRow(other.username))?.password_hash).not.toBe(row?.password_hash);
  });

  it("answers 422 with 'is required' for each missing field and stores nothing", async () => {
    const before = await countUsers();
    const reply = await call("POST", "/api/users", { body: { user: {} } });
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({
      errors: { username: ["is required"], email: ["is required"], password: ["is required"] },
    });
    expect(await countUsers()).toBe(before);
  });

  it("answers 422 when the user envelope is missing or not an object", async () => {
    expect((await call("POST", "/api/users", { body: {} })).body).toEqual({ errors: { user: ["is required"] } });
    expect((await call("POST", "/api/users", { body: { user: "x" } })).body).toEqual({ errors: { user: ["must be an object"] } });
    const text = await call("POST", "/api/users", { body: "user" });
    expect(text.status).toBe(422);
    expect(text.body).toEqual({ errors: { body: ["must be a JSON object"] } });
  });

  it("answers 422 with a message per invalid field", async () => {
    const reply = await call("POST", "/api/users", {
      body: { user: { username: "has space", email: "not-an-email", password: "short" } },
    });
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({
      errors: {
        username: ["may only contain letters, digits, '_', '.' and '-'"],
        email: ["is invalid"],
        password: ["is too short (minimum is 8 characters)"],
      },
    });
  });

  it("answers 422 for blank, over-long and non-string fields", async () => {
    const blank = await call("POST", "/api/users", { body: { user: { username: "  ", email: "a@b.co", password: "safe-pw8" } } });
    expect(blank.body).toEqual({ errors: { username: ["can't be blank"] } });
    const long = await call("POST", "/api/users", {
      body: { user: { username: "u".repeat(41), email: "a@b.co", password: "p".repeat(257) } },
    });
    expect(long.body).toEqual({
      errors: { username: ["is too long (maximum is 40 characters)"], password: ["is too long (maximum is 256 characters)"] },
    });
    const typed = await call("POST", "/api/users", { body: { user: { username: 12, email: null, password: ["x"] } } });
    expect(typed.status).toBe(422);
    expect(typed.body).toEqual({
      errors: { username: ["must be a string"], email: ["must be a string"], password: ["must be a string"] },
    });
  });

  it("keeps usernames and emails unique regardless of case, answering 422 'has already been taken'", async () => {
    const first = await registerUser({ username: unique("Case") });
    const before = await countUsers();
    const reply = await call("POST", "/api/users", {
      body: { user: { username: first.username.toUpperCase(), email: first.email.toUpperCase(), password: "another password" } },
    });
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({ errors: { username: ["has already been taken"], email: ["has already been taken"] } });
    const emailOnly = await call("POST", "/api/users", {
      body: { user: { username: unique("fresh"), email: first.email.toUpperCase(), password: "another password" } },
    });
    expect(emailOnly.body).toEqual({ errors: { email: ["has already been taken"] } });
    expect(await countUsers()).toBe(before);
  });

  it("lets exactly one of many concurrent registrations of one username win", async () => {
    const username = unique("race");
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        call("POST", "/api/users", {
          body: { user: { username, email: `${username}-${i}@example.com`, password: "safe-pass-1" } },
        }),
      ),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 422, 422, 422, 422, 422]);
    for (const loser of replies.filter((r) => r.status === 422)) {
      expect(loser.body).toEqual({ errors: { username: ["has already been taken"] } });
    }
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE username_key = ?")
      .bind(username)
      .first<{ n: number }>();
    expect(rows?.n).toBe(1);
  });
});

describe("POST /api/users/login", () => {
  it("answers 200 with the user and a working token, matching the email case-insensitively", async () => {
    const user = await registerUser();
    const reply = await call("POST", "/api/users/login", {
      body: { user: { email: user.email.toUpperCase(), password: user.password } },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.user).toMatchObject({ username: user.username, email: user.email, bio: null, image: null });
    const me = await call("GET", "/api/user", { token: reply.body.user.token });
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe(user.username);
  });

  it("answers the same 401 for a wrong password and an unknown email", async () => {
    const user = await registerUser();
    const wrong = await call("POST", "/api/users/login", { body: { user: { email: user.email, password: "not the password" } } });
    const unknown = await call("POST", "/api/users/login", {
      body: { user: { email: `${unique("nobody")}@example.com`, password: "whatever1" } },
    });
    for (const reply of [wrong, unknown]) {
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({ errors: { "email or password": ["is invalid"] } });
    }
  });

  it("answers 422 for missing or blank credentials", async () => {
    const missing = await call("POST", "/api/users/login", { body: { user: {} } });
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({ errors: { email: ["is required"], password: ["is required"] } });
    const blank = await call("POST", "/api/users/login", { body: { user: { email: "", password: "" } } });
    expect(blank.body).toEqual({ errors: { email: ["can't be blank"], password: ["can't be blank"] } });
  });
});

describe("GET /api/user and the Authorization header", () => {
  it("accepts both 'Token <jwt>' and 'Bearer <jwt>'", async () => {
    const user = await registerUser();
    for (const scheme of ["Token", "Bearer", "bearer"]) {
      const reply = await call("GET", "/api/user", { headers: { Authorization: `${scheme} ${user.token}` } });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        user: { email: user.email, token: user.token, username: user.username, bio: null, image: null },
      });
    }
  });

  it("answers 401 with WWW-Authenticate when no token is given", async () => {
    const reply = await call("GET", "/api/user");
    expect(reply.status).toBe(401);
    expect(reply.headers.get("www-authenticate")).toBe('Token realm="conduit"');
    expect(reply.body).toEqual({ errors: { body: ["authentication is required"] } });
  });

  it("refuses every kind of bad token with 401, even on routes where auth is optional", async () => {
    const user = await registerUser();
    const row = await userRow(user.username);
    const sub = String(row?.id);
    const now = Math.floor(Date.now() / 1000);
    const [header, payload] = user.token.split(".");
    const badTokens: Record<string, string> = {
      "another scheme": `Basic ${btoa("a:b")}`,
      "no scheme": user.token,
      "not a JWT": "Token not-a-jwt",
      "tampered payload": `Token ${header}.${base64url({ sub: "1", ver: 0, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 60 })}.${user.token.split(".")[2]}`,
      "wrong key under the right kid": `Token ${await signToken({ sub }, new TextEncoder().encode("another-secret-that-is-at-least-32-chars!!"))}`,
      "unknown kid": `Token ${await signToken({ sub }, SECRET, { kid: "0123456789abcdef" })}`,
      "no kid": `Token ${await signToken({ sub }, SECRET, { kid: undefined })}`,
      "another typ": `Token ${await signToken({ sub }, SECRET, { typ: "at+jwt" })}`,
      "lifetime longer than configured": `Token ${await signToken({ sub, iat: now - 8 * 24 * 3600, exp: now + 3600 })}`,
      "issued in the future": `Token ${await signToken({ sub, iat: now + 3600, exp: now + 7200 })}`,
      "issued further ahead than the clock tolerance": `Token ${await signToken({ sub, iat: now + CLOCK_TOLERANCE_SECONDS + 5 })}`,
      "expired longer ago than the clock tolerance": `Token ${await signToken({ sub, iat: now - 3600, exp: now - CLOCK_TOLERANCE_SECONDS - 5 })}`,
      "hexadecimal subject": `Token ${await signToken({ sub: `0x${Number(sub).toString(16)}` })}`,
      "subject with a leading space": `Token ${await signToken({ sub: ` ${sub}` })}`,
      "subject with a trailing space": `Token ${await signToken({ sub: `${sub} ` })}`,
      "subject in exponent notation": `Token ${await signToken({ sub: `${sub}e0` })}`,
      "subject with a leading zero": `Token ${await signToken({ sub: `0${sub}` })}`,
      "subject with a plus sign": `Token ${await signToken({ sub: `+${sub}` })}`,
      "subject with a decimal point": `Token ${await signToken({ sub: `${sub}.0` })}`,
      "subject zero": `Token ${await signToken({ sub: "0" })}`,
      "alg none": `Token ${base64url({ alg: "none", typ: "JWT" })}.${payload}.`,
      "alg none with a signature": `Token ${base64url({ alg: "none", typ: "JWT" })}.${payload}.c2ln`,
      "HS512 instead of HS256": `Token ${await signToken({ sub }, SECRET, { alg: "HS512" })}`,
      expired: `Token ${await signToken({ sub, iat: now - 7200, exp: now - 3600 })}`,
      "wrong issuer": `Token ${await signToken({ sub, iss: "someone-else" })}`,
      "wrong audience": `Token ${await signToken({ sub, aud: "another-api" })}`,
      "no subject": `Token ${await signToken({})}`,
      "user that does not exist": `Token ${await signToken({ sub: "987654321" })}`,
      "stale token version": `Token ${await signToken({ sub, ver: 5 })}`,
    };
    for (const [kind, authorization] of Object.entries(badTokens)) {
      for (const path of ["/api/user", "/api/articles", "/api/tags", `/api/profiles/${user.username}`]) {
        const reply = await call("GET", path, { headers: { Authorization: authorization } });
        expect(reply.status, `${kind} on ${path}`).toBe(401);
        expect(reply.body.errors.body, `${kind} on ${path}`).toHaveLength(1);
      }
    }
  });

  it("accepts a token the test signs with the right key and claims (so the refusals above are about the claims)", async () => {
    const user = await registerUser();
    const row = await userRow(user.username);
    const reply = await call("GET", "/api/user", { token: await signToken({ sub: String(row?.id) }) });
    expect(reply.status).toBe(200);
  });

  it(`tolerates clocks ${CLOCK_TOLERANCE_SECONDS} s apart: an iat a little ahead, an exp just past`, async () => {
    const user = await registerUser();
    const sub = String((await userRow(user.username))?.id);
    const now = Math.floor(Date.now() / 1000);
    const ahead = await signToken({ sub, iat: now + CLOCK_TOLERANCE_SECONDS - 5, exp: now + 3600 });
    const justExpired = await signToken({ sub, iat: now - 3600, exp: now - CLOCK_TOLERANCE_SECONDS + 5 });
    for (const token of [ahead, justExpired]) expect((await call("GET", "/api/user", { token })).status).toBe(200);
  });
});

describe("PUT /api/user", () => {
  it("updates bio and image and returns the same token", async () => {
    const user = await registerUser();
    const reply = await call("PUT", "/api/user", {
      token: user.token,
      body: { user: { bio: "I write things", image: "https://example.com/me.png" } },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.user).toEqual({
      email: user.email,
      token: user.token,
      username: user.username,
      bio: "I write things",
      image: "https://example.com/me.png",
    });
    const row = await userRow(user.username);
    expect(row?.bio).toBe("I write things");
  });

  it("clears bio and image when sent as empty strings or null", async () => {
    const user = await registerUser();
    await call("PUT", "/api/user", { token: user.token, body: { user: { bio: "x", image: "https://example.com/a.png" } } });
    const reply = await call("PUT", "/api/user", { token: user.token, body: { user: { bio: "", image: null } } });
    expect(reply.status).toBe(200);
    expect(reply.body.user).toMatchObject({ bio: null, image: null });
  });

  it("changes username and email, after which login uses the new email", async () => {
    const user = await registerUser();
    const username = unique("renamed");
    const email = `${username}@example.com`;
    const reply = await call("PUT", "/api/user", { token: user.token, body: { user: { username, email } } });
    expect(reply.status).toBe(200);
    expect(reply.body.user).toMatchObject({ username, email });
    const login = await call("POST", "/api/users/login", { body: { user: { email, password: user.password } } });
    expect(login.status).toBe(200);
    expect((await call("GET", `/api/profiles/${user.username}`)).status).toBe(404);
  });

  it("lets a user change only the case of their own username", async () => {
    const user = await registerUser({ username: unique("lower") });
    const reply = await call("PUT", "/api/user", {
      token: user.token,
      body: { user: { username: user.username.toUpperCase() } },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.user.username).toBe(user.username.toUpperCase());
  });

  it("answers 422 when the new username or email belongs to someone else, and changes nothing", async () => {
    const owner = await registerUser();
    const user = await registerUser();
    const reply = await call("PUT", "/api/user", {
      token: user.token,
      body: { user: { username: owner.username.toUpperCase(), email: owner.email, bio: "should not be saved" } },
    });
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({ errors: { username: ["has already been taken"], email: ["has already been taken"] } });
    expect((await userRow(user.username))?.bio).toBeNull();
  });

  it("answers 422 for an empty change, an invalid image or email", async () => {
    const user = await registerUser();
    const empty = await call("PUT", "/api/user", { token: user.token, body: { user: {} } });
    expect(empty.status).toBe(422);
    expect(empty.body).toEqual({ errors: { user: ["needs at least one field"] } });
    const image = await call("PUT", "/api/user", { token: user.token, body: { user: { image: "javascript:alert(1)" } } });
    expect(image.status).toBe(422);
    expect(image.body.errors.image).toHaveLength(1);
    const email = await call("PUT", "/api/user", { token: user.token, body: { user: { email: "nope" } } });
    expect(email.body).toEqual({ errors: { email: ["is invalid"] } });
  });

  it("answers 401 without a token", async () => {
    const reply = await call("PUT", "/api/user", { body: { user: { bio: "x" } } });
    expect(reply.status).toBe(401);
  });

  it("on a password change returns a new token and revokes every earlier one", async () => {
    const user = await registerUser({ password: "old password 1" });
    const second = await call("POST", "/api/users/login", { body: { user: { email: user.email, password: "old password 1" } } });
    const reply = await call("PUT", "/api/user", { token: user.token, body: { user: { password: "new password 2" } } });
    expect(reply.status).toBe(200);
    const fresh = reply.body.user.token as string;
    expect(fresh).not.toBe(user.token);
    expect((await userRow(user.username))?.token_version).toBe(1);

    for (const old of [user.token, second.body.user.token]) {
      expect((await call("GET", "/api/user", { token: old })).status).toBe(401);
      expect((await call("GET", "/api/articles", { token: old })).status).toBe(401);
    }
    expect((await call("GET", "/api/user", { token: fresh })).status).toBe(200);
    const oldLogin = await call("POST", "/api/users/login", {
      body: { user: { email: user.email, password: "old password 1" } },
    });
    expect(oldLogin.status).toBe(401);
    const newLogin = await call("POST", "/api/users/login", {
      body: { user: { email: user.email, password: "new password 2" } },
    });
    expect(newLogin.status).toBe(200);
  });
});

describe("PUT /api/user: credentials", () => {
  const change = (user: TestUser, fields: Record<string, unknown>) =>
    call("PUT", "/api/user", { token: user.token, body: { user: fields } });

  it("refuses a common, blank or name-equal new password with 422 on password, and keeps the old one", async () => {
    const user = await registerUser({ username: unique("longname") });
    const before = await userRow(user.username);
    for (const [password, message] of [
      ["iloveyou", "is too common: it appears in lists of breached passwords"],
      ["Password1", "is too common: it appears in lists of breached passwords"],
      ["        ", "can't be blank"],
      [user.email, "can't be your email or username"],
      [user.username.toUpperCase(), "can't be your email or username"],
    ]) {
      const reply = await change(user, { password });
      expect(reply.status, password).toBe(422);
      expect(reply.body, password).toEqual({ errors: { password: [message] } });
    }
    // Equal to the email the same change sets.
    const moved = await change(user, { email: "moved-address@example.com", password: "moved-address@example.com" });
    expect(moved.body).toEqual({ errors: { password: ["can't be your email or username"] } });
    expect(await userRow(user.username)).toEqual(before);
  });

  it("checks currentPassword when it is given: 422 when wrong, the change when right; not needed otherwise", async () => {
    const user = await registerUser();
    const wrong = await change(user, { bio: "never stored", currentPassword: "not the password" });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toEqual({ errors: { currentPassword: ["is not your password"] } });
    expect((await userRow(user.username))?.bio).toBeNull();

    const right = await change(user, { password: "a fresh passphrase", currentPassword: user.password });
    expect(right.status).toBe(200);
    const login = await call("POST", "/api/users/login", {
      body: { user: { email: user.email, password: "a fresh passphrase" } },
    });
    expect(login.status).toBe(200);
    // The RealWorld contract, unchanged: no currentPassword.
    const plain = await change({ ...user, token: right.body.user.token }, { bio: "no current password needed" });
    expect(plain.status).toBe(200);
    // currentPassword alone changes nothing, so it is not a change.
    const alone = await change({ ...user, token: right.body.user.token }, { currentPassword: "a fresh passphrase" });
    expect(alone.body).toEqual({ errors: { user: ["needs at least one field"] } });
  });

  it("on an email change returns a new token and revokes every earlier one; the same email again revokes nothing", async () => {
    const user = await registerUser();
    const second = await call("POST", "/api/users/login", { body: { user: { email: user.email, password: user.password } } });
    // Settings forms send the email with every save: unchanged, it keeps every session.
    const same = await change(user, { email: user.email, bio: "same email" });
    expect(same.status).toBe(200);
    expect(same.body.user.token).toBe(user.token);
    expect((await userRow(user.username))?.token_version).toBe(0);

    const email = `${unique("moved")}@example.com`;
    const moved = await change(user, { email });
    expect(moved.status).toBe(200);
    expect(moved.body.user.email).toBe(email);
    const fresh = moved.body.user.token as string;
    expect(fresh).not.toBe(user.token);
    expect((await userRow(user.username))?.token_version).toBe(1);
    for (const old of [user.token, second.body.user.token]) {
      expect((await call("GET", "/api/user", { token: old })).status).toBe(401);
    }
    expect((await call("GET", "/api/user", { token: fresh })).body.user.email).toBe(email);
  });
});

describe("signing keys and token lifetime", () => {
  const OLD = "old-signing-secret-0123456789-0123456789";
  const NEW = "new-signing-secret-9876543210-9876543210";
  const envWith = (secret: string, extra: Record<string, string> = {}) => ({ ...testEnv, JWT_SECRET: secret, ...extra });
  const claimsOf = (token: string) => JSON.parse(atob(token.split(".")[1]!.replaceAll("-", "+").replaceAll("_", "/")));
  const headerOf = (token: string) => JSON.parse(atob(token.split(".")[0]!.replaceAll("-", "+").replaceAll("_", "/")));

  it("rotates keys without logging anyone out: sign with the newest, verify with any listed", async () => {
    const user = await registerUser();
    const login = { body: { user: { email: user.email, password: user.password } } };
    const oldToken = (await call("POST", "/api/users/login", { ...login, env: envWith(OLD) })).body.user.token as string;
    expect(headerOf(oldToken)).toEqual({ alg: "HS256", typ: "JWT", kid: (await keyOf(OLD)).kid });

    const rotated = envWith(`${NEW}, ${OLD}`);
    expect((await call("GET", "/api/user", { token: oldToken, env: rotated })).status).toBe(200);
    const newToken = (await call("POST", "/api/users/login", { ...login, env: rotated })).body.user.token as string;
    expect(headerOf(newToken).kid).toBe((await keyOf(NEW)).kid);

    const retired = envWith(NEW);
    expect((await call("GET", "/api/user", { token: oldToken, env: retired })).status).toBe(401);
    expect((await call("GET", "/api/user", { token: newToken, env: retired })).status).toBe(200);
  });

  it("answers 503 to every request, and says why once in the log, when JWT_SECRET is the public example outside npm run dev", async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((line: string) => errors.push(line));
    try {
      const example = envWith(EXAMPLE_JWT_SECRET, { LOCAL_DEVELOPMENT: "false" });
      for (const [method, path] of [
        ["GET", "/api/tags"],
        ["GET", "/jsonapi"],
        ["POST", "/graphql"],
        ["GET", "/"],
        ["GET", "/health"],
        ["GET", "/docs"],
      ] as const) {
        const reply = await call(method, path, { env: example, ...(method === "POST" ? { body: { query: "{ tags }" } } : {}) });
        expect(reply.status, path).toBe(503);
        expect(reply.body, path).toEqual({ errors: { body: ["the service is not configured"] } });
      }
      // Within a rotation list too.
      const rotated = envWith(`${NEW}, ${EXAMPLE_JWT_SECRET}`, { LOCAL_DEVELOPMENT: "false" });
      expect((await call("GET", "/api/tags", { env: rotated })).status).toBe(503);
      expect(errors.filter((line) => line.includes(".dev.vars.example")).length).toBeLessThanOrEqual(1);
      // npm run dev passes LOCAL_DEVELOPMENT=true: the example works there.
      const dev = envWith(EXAMPLE_JWT_SECRET, { LOCAL_DEVELOPMENT: "true" });
      expect((await call("GET", "/api/tags", { env: dev })).status).toBe(200);
    } finally {
      spy.mockRestore();
    }
  });

  it("knows the example secret that .dev.vars.example holds", () => {
    expect(devVarsExample).toContain(`JWT_SECRET="${EXAMPLE_JWT_SECRET}"`);
  });

  it("refuses to run with a rotation list that holds a short key", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const reply = await call("GET", "/api/tags", { env: envWith(`${NEW},short`) });
    expect(reply.status).toBe(503);
    vi.restoreAllMocks();
  });

  it("caps the token lifetime at 30 days whatever is configured", async () => {
    const user = await registerUser();
    const reply = await call("POST", "/api/users/login", {
      body: { user: { email: user.email, password: user.password } },
      env: envWith(env.JWT_SECRET, { JWT_TTL_SECONDS: "999999999" }),
    });
    const claims = claimsOf(reply.body.user.token);
    expect(claims.exp - claims.iat).toBe(30 * 24 * 3600);
    const defaults = claimsOf(user.token);
    expect(defaults.exp - defaults.iat).toBe(7 * 24 * 3600);
  });
});

describe("POST /api/user/logout (log out everywhere)", () => {
  it("revokes every token of the account, the caller's included, and nobody else's", async () => {
    const user = await registerUser();
    const other = await registerUser();
    const second = (await call("POST", "/api/users/login", { body: { user: { email: user.email, password: user.password } } }))
      .body.user.token as string;
    const reply = await call("POST", "/api/user/logout", { token: user.token });
    expect(reply.status).toBe(204);
    expect(reply.text).toBe("");
    for (const token of [user.token, second]) expect((await call("GET", "/api/user", { token })).status).toBe(401);
    expect((await call("GET", "/api/user", { token: other.token })).status).toBe(200);
    const again = await call("POST", "/api/users/login", { body: { user: { email: user.email, password: user.password } } });
    expect((await call("GET", "/api/user", { token: again.body.user.token })).status).toBe(200);
  });

  it("answers 401 to an anonymous caller and to a token already revoked", async () => {
    const user = await registerUser();
    expect((await call("POST", "/api/user/logout")).status).toBe(401);
    await call("POST", "/api/user/logout", { token: user.token });
    expect((await call("POST", "/api/user/logout", { token: user.token })).status).toBe(401);
  });
});
