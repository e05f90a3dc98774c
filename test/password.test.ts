import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hashPassword, PBKDF2_MAX_ITERATIONS_PER_CALL, upgradeStoredHash, verifyPassword } from "../src/domain/password";
import { call, registerUser } from "./support/api";
import { probeD1, rows } from "./support/d1";

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
    expect((await verifyPassword("s3cret password", stored)).valid).toBe(true);
    expect((await verifyPassword("s3cret passworD", stored)).valid).toBe(false);
    expect((await verifyPassword("", stored)).valid).toBe(false);
  });

  it("salts every hash, so one password hashes differently twice", async () => {
    const [a, b] = await Promise.all([hashPassword("same password"), hashPassword("same password")]);
    expect(a).not.toBe(b);
  });

  it("refuses stored hashes in an unknown scheme or with an iteration count production would reject", async () => {
    const stored = await hashPassword("s3cret password");
    const [, , salt, hash] = stored.split("$");
    const iterations = watchDeriveBits();
    expect((await verifyPassword("s3cret password", `bcrypt$100000$${salt}$${hash}`)).valid).toBe(false);
    expect((await verifyPassword("s3cret password", `pbkdf2-sha256$100001$${salt}$${hash}`)).valid).toBe(false);
    expect((await verifyPassword("s3cret password", `pbkdf2-sha256$abc$${salt}$${hash}`)).valid).toBe(false);
    expect((await verifyPassword("s3cret password", "pbkdf2-sha256$100000$")).valid).toBe(false);
    expect((await verifyPassword("s3cret password", `pbkdf2-sha256$100000x21$${salt}$${hash}`)).valid).toBe(false);
    expect(iterations).toEqual([]);
  });

  it("does the same PBKDF2 work for an unknown email, a wrong password, the right one, and an old-format hash", async () => {
    const user = await registerUser({ password: "timing password 1" });
    const legacy = await registerUser({ password: "timing password 2" });
    await env.DB.prepare("UPDATE users SET password_hash = ? WHERE username = ?")
      .bind(await legacyHash("timing password 2"), legacy.username)
      .run();
    const login = async (email: string, password: string) => {
      const iterations = watchDeriveBits();
      const reply = await call("POST", "/api/users/login", { body: { user: { email, password } } });
      vi.restoreAllMocks();
      return { status: reply.status, iterations: iterations.reduce((sum, n) => sum + n, 0), calls: iterations.length };
    };
    const paths = {
      unknownEmail: await login(`${user.username}-nobody@example.com`, "timing password 1"),
      wrongPassword: await login(user.email, "timing password 9"),
      rightPassword: await login(user.email, "timing password 1"),
      oldHashWrongPassword: await login(legacy.email, "timing password 9"),
      // The upgrade is the verification's own result: no extra hashing.
      oldHashRightPassword: await login(legacy.email, "timing password 2"),
    };
    expect(Object.values(paths).map((path) => path.status)).toEqual([401, 401, 200, 401, 200]);
    for (const [name, path] of Object.entries(paths)) {
      expect({ name, calls: path.calls, iterations: path.iterations }).toEqual({ name, calls: 6, iterations: 600_000 });
    }
  });

  it("upgrades a first-release hash without the password, to exactly the hash of today's format", async () => {
    const legacy = await legacyHash("chained password");
    const [, , salt] = legacy.split("$");
    const upgraded = await upgradeStoredHash(legacy);
    expect(upgraded).toMatch(new RegExp(`^pbkdf2-sha256\\$100000x6\\$${salt}\\$[\\w-]{43}$`));
    expect((await verifyPassword("chained password", upgraded ?? "")).valid).toBe(true);
    expect((await verifyPassword("chained passworD", upgraded ?? "")).valid).toBe(false);
    // Nothing to do for a current hash, nor for one that is not ours.
    expect(await upgradeStoredHash(upgraded ?? "")).toBeNull();
    expect(await upgradeStoredHash("bcrypt$x$y$z")).toBeNull();
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

    const legacy = await storedHash(user.username);
    const probe = probeD1();
    expect((await login("legacy password 1", probe)).status).toBe(200);
    expect(probe.trips).toHaveLength(2);
    const upgraded = await storedHash(user.username);
    expect(upgraded).toMatch(/^pbkdf2-sha256\$100000x6\$/);
    // The missing calls chained onto the old hash: same salt, what the one-off step would store.
    expect(upgraded).toBe(await upgradeStoredHash(legacy));
    expect((await verifyPassword("legacy password 1", upgraded)).valid).toBe(true);

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
  const [row] = await rows<{ password_hash: string }>("SELECT password_hash FROM users WHERE username = ?", username);
  return row?.password_hash ?? "";
}
