import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../src/env";
import { clientOf } from "../src/http/limits";
import { call, registerUser, type TestUser, testEnv, unique } from "./support/api";

// Rate limits, with real Workers rate-limiting bindings: the suite's default
// limits are high (vitest.config.ts), so these tests put the tight test
// limiter (3 per minute) in the place of the one they exercise.
//
// The limiter counts in fixed one-minute windows: when a window ends in the
// middle of a test's attempts (a slow, loaded run), the count starts again
// and a refusal comes later than the test expects. Such a test is retried
// (each try with a new account and client address); a limit that does not
// hold fails every try.
const WINDOWS = { retry: 2 };

const tight = (binding: "AUTH_ACCOUNT_LIMITER" | "AUTH_CLIENT_LIMITER" | "WRITE_CLIENT_LIMITER"): Env => ({
  ...testEnv,
  [binding]: env.TEST_TIGHT_LIMITER,
});

const from = (address: string) => ({ "CF-Connecting-IP": address });
const address = () => `203.0.113.${Math.floor(Math.random() * 250) + 1}-${unique("c")}`;

async function expectLimited(reply: Awaited<ReturnType<typeof call>>) {
  expect(reply.status).toBe(429);
  expect(reply.headers.get("retry-after")).toBe("60");
  expect(reply.body).toEqual({ errors: { body: ["too many attempts, please wait a minute and retry"] } });
}

describe("login and registration limits", WINDOWS, () => {
  it("limits login attempts per account, whatever addresses they come from, before checking the password", async () => {
    const user = await registerUser();
    const limited = tight("AUTH_ACCOUNT_LIMITER");
    const attempt = (password: string) =>
      call("POST", "/api/users/login", {
        body: { user: { email: user.email, password } },
        headers: from(address()),
        env: limited,
      });
    for (let i = 0; i < 3; i++) expect((await attempt("wrong password")).status).toBe(401);
    await expectLimited(await attempt(user.password));
    // Another account is not affected.
    const other = await registerUser();
    const otherLogin = await call("POST", "/api/users/login", {
      body: { user: { email: other.email, password: other.password } },
      env: limited,
    });
    expect(otherLogin.status).toBe(200);
  });

  it("counts an account's email case-insensitively", async () => {
    const user = await registerUser();
    const limited = tight("AUTH_ACCOUNT_LIMITER");
    for (const email of [user.email, user.email.toUpperCase(), ` ${user.email}`]) {
      await call("POST", "/api/users/login", { body: { user: { email, password: "nope nope" } }, env: limited });
    }
    await expectLimited(
      await call("POST", "/api/users/login", { body: { user: { email: user.email, password: user.password } }, env: limited }),
    );
  });

  it("limits login and registration attempts per client address, across accounts", async () => {
    const client = from(address());
    const limited = tight("AUTH_CLIENT_LIMITER");
    const user = await registerUser();
    const login = (email: string) =>
      call("POST", "/api/users/login", { body: { user: { email, password: "whatever1" } }, headers: client, env: limited });
    expect((await login(user.email)).status).toBe(401);
    expect((await login(`${unique("x")}@example.com`)).status).toBe(401);
    const name = unique("limited");
    const register = await call("POST", "/api/users", {
      body: { user: { username: name, email: `${name}@example.com`, password: "safe-pw-1" } },
      headers: client,
      env: limited,
    });
    expect(register.status).toBe(201);
    const name2 = unique("refused");
    await expectLimited(
      await call("POST", "/api/users", {
        body: { user: { username: name2, email: `${name2}@example.com`, password: "safe-pw-1" } },
        headers: client,
        env: limited,
      }),
    );
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE username = ?").bind(name2).first<{ n: number }>();
    expect(stored?.n).toBe(0);
    // A different address is not affected.
    expect(
      (
        await call("POST", "/api/users/login", {
          body: { user: { email: user.email, password: user.password } },
          headers: from(address()),
          env: limited,
        })
      ).status,
    ).toBe(200);
  });

  it("limits registrations per email", async () => {
    const limited = tight("AUTH_ACCOUNT_LIMITER");
    const email = `${unique("taken")}@example.com`;
    const attempt = () =>
      call("POST", "/api/users", {
        body: { user: { username: unique("u"), email, password: "safe-pw-1" } },
        headers: from(address()),
        env: limited,
      });
    expect((await attempt()).status).toBe(201);
    expect((await attempt()).status).toBe(422);
    expect((await attempt()).status).toBe(422);
    await expectLimited(await attempt());
  });
});

describe("credential changes in PUT /api/user count as login attempts", WINDOWS, () => {
  it("limits email probes per account, before saying whether an email is taken", async () => {
    const user = await registerUser();
    const victim = await registerUser();
    const limited = tight("AUTH_ACCOUNT_LIMITER");
    // Each change revokes the token it was made with: the prober goes on with the fresh one.
    let token = user.token;
    const probe = (email: string) =>
      call("PUT", "/api/user", { token, body: { user: { email } }, headers: from(address()), env: limited });
    for (let i = 0; i < 3; i++) {
      const reply = await probe(`${unique("free")}@example.com`);
      expect(reply.status).toBe(200);
      token = reply.body.user.token;
    }
    // The fourth probe, from yet another address, hears 429, not "has already been taken".
    const refused = await probe(victim.email);
    await expectLimited(refused);
  });

  it("limits password changes (and currentPassword checks) per client, across accounts", async () => {
    const limited = tight("AUTH_CLIENT_LIMITER");
    const client = from(address());
    const accounts = [await registerUser(), await registerUser(), await registerUser(), await registerUser()];
    const [a, b, c, d] = accounts as [TestUser, TestUser, TestUser, TestUser];
    const put = (user: TestUser, fields: Record<string, unknown>) =>
      call("PUT", "/api/user", { token: user.token, body: { user: fields }, headers: client, env: limited });
    expect((await put(a, { password: "another long one" })).status).toBe(200);
    expect((await put(b, { bio: "x", currentPassword: "wrong password" })).status).toBe(422);
    expect((await put(c, { password: "another long one" })).status).toBe(200);
    await expectLimited(await put(d, { password: "another long one" }));
    // Neither a bio change nor the same email again is a credential change.
    expect((await put(d, { bio: "just a bio", email: d.email })).status).toBe(200);
  });
});

describe("the blanket write limit", WINDOWS, () => {
  it("limits writes per client and leaves reads alone", async () => {
    const user = await registerUser();
    const limited = tight("WRITE_CLIENT_LIMITER");
    const client = from(address());
    const write = () =>
      call("PUT", "/api/user", { token: user.token, body: { user: { bio: unique("bio") } }, headers: client, env: limited });
    for (let i = 0; i < 3; i++) expect((await write()).status).toBe(200);
    const refused = await write();
    await expectLimited(refused);
    expect((await call("GET", "/api/user", { token: user.token, headers: client, env: limited })).status).toBe(200);
    expect(
      (
        await call("PUT", "/api/user", {
          token: user.token,
          body: { user: { bio: "x" } },
          headers: from(address()),
          env: limited,
        })
      ).status,
    ).toBe(200);
  });
});

describe("when a limiter is missing or failing", () => {
  it("lets requests through rather than locking everyone out", async () => {
    const broken = { limit: () => Promise.reject(new Error("limiter down")) } as unknown as RateLimit;
    const { AUTH_CLIENT_LIMITER: _, ...unbound } = testEnv;
    for (const limitedEnv of [{ ...testEnv, AUTH_ACCOUNT_LIMITER: broken }, unbound]) {
      const name = unique("open");
      const reply = await call("POST", "/api/users", {
        body: { user: { username: name, email: `${name}@example.com`, password: "safe-pw-1" } },
        env: limitedEnv as Env,
      });
      expect(reply.status).toBe(201);
    }
  });
});

describe("client addresses", () => {
  it("keys IPv4 by address and IPv6 by its /64", () => {
    const request = (ip?: string) => new Request("http://x/", { headers: ip ? { "CF-Connecting-IP": ip } : {} });
    expect(clientOf(request("198.51.100.7"))).toBe("198.51.100.7");
    expect(clientOf(request("2001:db8:1:2:aaaa::1"))).toBe("2001:db8:1:2::/64");
    expect(clientOf(request("2001:0DB8:0001:0002:ffff:1:2:3"))).toBe("2001:db8:1:2::/64");
    expect(clientOf(request("2001:db8::1"))).toBe("2001:db8:0:0::/64");
    expect(clientOf(request())).toBe("unknown");
  });
});
