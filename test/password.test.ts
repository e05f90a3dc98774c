import { afterEach, describe, expect, it, vi } from "vitest";
import { hashPassword, PBKDF2_MAX_ITERATIONS_PER_CALL, verifyPassword } from "../src/domain/password";
import { call, registerUser } from "./support/api";

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
    // register, three logins (right, wrong, unknown email) and a password change
    expect(iterations).toHaveLength(5);
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
    expect(iterations).toEqual([]);
  });
});
