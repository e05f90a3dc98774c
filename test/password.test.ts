import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hashPassword, PBKDF2_MAX_ITERATIONS_PER_CALL, verifyPassword } from "../src/domain/password";
import { call, registerUser } from "./support/api";
import { probeD1 } from "./support/d1";

// Production Workers refuse PBKDF2 above 100,000 iterations in one deriveBits
// call; local workerd does not. Only this test stands between a higher count
// and a production outage, so it watches every call the API makes.

function watchDeriveBits(): number[] {
  const iterations: number[] = [];
  const original = crypto.subtle.deriveBits.bind(crypto.subtle);
  vi.spyOn(crypto.subtle, "deriveBits").mockImplementation((algorithm, key, length) => {
    if (typeof algorithm === "object" && algorithm.name === "PBKDF2") {
      iterations.push((algorithm as { iterations: number }).iterations);
    }
    return original(algorithm, key, length);
  });
  return iterations;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("password hashing", () => {
  it("never asks WebCrypto for more than 100,000 PBKDF2 iterations in one call, on any path", async () => {
    const iterations = watchDeriveBits();
    const user = await registerUser({ password: "correct horse battery" });
    await call("POST", "/api/users/login", { body: { user: { email: user.email, password: user.password } } });
    await call("POST", "/api/users/login", { body: { user: { email: user.email, password: "wrong password" } } });
    await call("POST", "/api/users/login", { body: { user: { email: "nobody@example.com", password: "whatever1" } } });
    await call("PUT", "/api/user", { token: user.token, body: { user: { password: "another good one" } } });
    // register, three logins (right, wrong, unknown email) and a password change,
    // each 6 chained calls
    expect(iterations).toHaveLength(5 * 6);
    for (const count of iterations) expect(count).toBeLessThanOrEqual(PBKDF2_MAX_ITERATIONS_PER_CALL);
    expect(PBKDF2_MAX_ITERATIONS_PER_CALL).toBe(100_000);
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hashPassword("s3cret password");
    expect(await verifyPassword("s3cret password", stored)).toBe(true);
    expect(await verifyPassword("s3cret passworD", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("salts every hash, so one password hashes differently twice", async () => {
    const [a, b] = await Promise.all([hashPassword("same password"), hashPassword("same password")]);
    expect(a).not.toBe(b);
  });

  it("refuses stored hashes in an unknown scheme or with an iteration count production would reject", async () => {
    const stored = await hashPassword("s3cret password");
    const [, , salt, hash] = stored.split("$");
    const iterations = watchDeriveBits();
    expect(await verifyPassword("s3cret password", `bcrypt$100000$${salt}$${hash}`)).toBe(false);
    expect(await verifyPassword("s3cret password", `pbkdf2-sha256$100001$${salt}$${hash}`)).toBe(false);
    expect(await verifyPassword("s3cret password", `pbkdf2-sha256$abc$${salt}$${hash}`)).toBe(false);
    expect(await verifyPassword("s3cret password", "pbkdf2-sha256$100000$")).toBe(false);
    expect(await verifyPassword("s3cret password", `pbkdf2-sha256$100000x21$${salt}$${hash}`)).toBe(false);
    expect(iterations).toEqual([]);
  });

  it("stores today's parameters: 6 chained calls of 100,000 iterations (600,000 in all)", async () => {
    expect(await hashPassword("s3cret password")).toMatch(/^pbkdf2-sha256\$100000x6\$[\w-]{22}\$[\w-]{43}$/);
  });

  it("upgrades a hash in the first release's format at the next successful login, and only then", async () => {
    const user = await registerUser({ password: "legacy password 1" });
    await env.DB.prepare("UPDATE users SET password_hash = ? WHERE username = ?")
      .bind(await legacyHash("legacy password 1"), user.username)
      .run();
    const login = (password: string, probe = probeD1()) =>
      call("POST", "/api/users/login", { body: { user: { email: user.email, password } }, env: probe.env });

    expect((await login("wrong password 1")).status).toBe(401);
    expect(await storedHash(user.username)).toMatch(/^pbkdf2-sha256\$100000\$/);

    const probe = probeD1();
    expect((await login("legacy password 1", probe)).status).toBe(200);
    expect(probe.trips).toHaveLength(2);
    const upgraded = await storedHash(user.username);
    expect(upgraded).toMatch(/^pbkdf2-sha256\$100000x6\$/);
    expect(await verifyPassword("legacy password 1", upgraded)).toBe(true);

    const again = probeD1();
    expect((await login("legacy password 1", again)).status).toBe(200);
    expect(again.trips).toHaveLength(1);
  });
});

/** What the first release stored: one PBKDF2 call of 100,000 iterations. */
async function legacyHash(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 100_000 }, key, 256);
  const b64 = (bytes: Uint8Array) =>
    btoa(String.fromCharCode(...bytes))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");
  return `pbkdf2-sha256$100000$${b64(salt)}$${b64(new Uint8Array(bits))}`;
}

async function storedHash(username: string): Promise<string> {
  const row = await env.DB.prepare("SELECT password_hash FROM users WHERE username = ?")
    .bind(username)
    .first<{ password_hash: string }>();
  return row?.password_hash ?? "";
}
