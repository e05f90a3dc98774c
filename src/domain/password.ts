// Password storage: salted PBKDF2-HMAC-SHA256, chained under the Workers cap.
//
// Current guidance (OWASP, 2023) for PBKDF2-HMAC-SHA256 is 600,000 iterations.
// Production Workers refuse more than 100,000 iterations in one deriveBits
// call (local workerd does not), so the work is done as 6 chained calls of
// 100,000: each call's output is the next call's password. That is as
// sequential as one 600,000-iteration call, so an attacker's cost per guess is
// the same. It costs about 70 ms of CPU per hash (README, "Security").
//
// Stored format, versioned by its parameters:
//   pbkdf2-sha256$<iterations per call>x<calls>$<salt base64url>$<hash base64url>
// The first release stored `pbkdf2-sha256$100000$…` (one call). Chaining the
// five missing calls onto such a stored hash gives exactly the hash of today's
// format, without the password: `upgradeStoredHash` does that (the one-off
// step `npm run db:upgrade`, README "Security"), and a verification of a
// weaker hash does the missing calls too, so that every login costs the same
// six calls whatever the account's hash looks like (no timing oracle).

export const PBKDF2_MAX_ITERATIONS_PER_CALL = 100_000;
const ITERATIONS = PBKDF2_MAX_ITERATIONS_PER_CALL;
const CALLS = 6;
/** Stored hashes asking for more calls than this are refused, not run. */
const MAX_CALLS = 20;
const SALT_BYTES = 16;
const HASH_BITS = 256;
const SCHEME = "pbkdf2-sha256";

const encoder = new TextEncoder();

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function derive(password: Uint8Array, salt: Uint8Array, iterations: number, calls: number): Promise<Uint8Array> {
  let material = password;
  for (let call = 0; call < calls; call++) {
    const key = await crypto.subtle.importKey("raw", material, "PBKDF2", false, ["deriveBits"]);
    material = new Uint8Array(
      await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, HASH_BITS),
    );
  }
  return material;
}

type Parameters = { iterations: number; calls: number; salt: Uint8Array; hash: Uint8Array };

function parse(stored: string): Parameters | null {
  const [scheme, cost, saltText, hashText, ...rest] = stored.split("$");
  const match = /^(\d{1,7})(?:x(\d{1,2}))?$/.exec(cost ?? "");
  if (scheme !== SCHEME || !match || !saltText || !hashText || rest.length) return null;
  const iterations = Number(match[1]);
  const calls = Number(match[2] ?? 1);
  if (iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS_PER_CALL || calls < 1 || calls > MAX_CALLS) return null;
  try {
    return { iterations, calls, salt: fromBase64Url(saltText), hash: fromBase64Url(hashText) };
  } catch {
    return null;
  }
}

const format = (salt: Uint8Array, hash: Uint8Array) =>
  `${SCHEME}$${ITERATIONS}x${CALLS}$${toBase64Url(salt)}$${toBase64Url(hash)}`;

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  return format(salt, await derive(encoder.encode(password), salt, ITERATIONS, CALLS));
}

/**
 * Whether `password` matches `stored`, after the same number of PBKDF2 calls
 * as a hash of today's format costs, whatever `stored` is (a stored hash that
 * is unreadable or asks for more calls than allowed is refused without any).
 * `upgraded` is today's format of a weaker stored hash the password matched.
 */
export async function verifyPassword(password: string, stored: string): Promise<{ valid: boolean; upgraded: string | null }> {
  const parameters = parse(stored);
  if (!parameters) return { valid: false, upgraded: null };
  const { iterations, calls, salt, hash } = parameters;
  const actual = await derive(encoder.encode(password), salt, iterations, calls);
  const valid = hash.byteLength === actual.byteLength && crypto.subtle.timingSafeEqual(hash, actual);
  // The missing calls, right password or not; chained onto a first-release
  // hash they give today's.
  const padded = calls < CALLS ? await derive(actual, salt, ITERATIONS, CALLS - calls) : actual;
  const upgraded = valid && needsRehash(stored) && iterations === ITERATIONS ? format(salt, padded) : null;
  return { valid, upgraded };
}

/**
 * Today's format of a stored hash made with fewer chained calls of today's
 * iteration count (the first release's), computed from the hash alone; null
 * for a hash that is already current or cannot be upgraded that way.
 */
export async function upgradeStoredHash(stored: string): Promise<string | null> {
  const parameters = parse(stored);
  if (!parameters || parameters.iterations !== ITERATIONS || parameters.calls >= CALLS) return null;
  return format(parameters.salt, await derive(parameters.hash, parameters.salt, ITERATIONS, CALLS - parameters.calls));
}

/** True when a stored hash is weaker than what hashPassword makes today. */
export function needsRehash(stored: string): boolean {
  const parameters = parse(stored);
  return !parameters || parameters.iterations * parameters.calls < ITERATIONS * CALLS;
}

// Burns the same work as a real verification, so that a login for an unknown
// email takes as long as one with a wrong password.
const DUMMY_SALT = new Uint8Array(SALT_BYTES);
export async function verifyAgainstNothing(password: string): Promise<{ valid: false; upgraded: null }> {
  await derive(encoder.encode(password), DUMMY_SALT, ITERATIONS, CALLS);
  return { valid: false, upgraded: null };
}

/**
 * How the list of common passwords is keyed (table `common_passwords`, filled
 * by a migration that scripts/common-passwords.mjs writes): the first 64 bits
 * of the SHA-256 of the password, NFKC-normalised and lowercased (the list is
 * lowercase; `Password1` is as common as `password1`), in hex.
 */
export async function commonPasswordDigest(password: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(password.normalize("NFKC").toLowerCase()));
  return Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}
