import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from "jose";

// HS256 JWTs with sub (user id), iat, exp, iss, aud and `ver`, the user's token
// version: a password change (or "log out everywhere") bumps the stored
// version, so older tokens stop matching. The version is checked against D1
// inside each operation's first query, which keeps reads at one round trip.
//
// Several signing keys can be configured, newest first: tokens are signed with
// the newest and carry its `kid`; a token is verified with the key its `kid`
// names, if that key is still configured. Rotating is adding a key in front
// and, one token lifetime later, removing the old one.

export type SigningKey = { kid: string; secret: Uint8Array };

export type TokenConfig = {
  /** Newest first; never empty. */
  keys: SigningKey[];
  issuer: string;
  audience: string;
  ttlSeconds: number;
};

export type TokenClaims = { userId: number; tokenVersion: number };

const ALGORITHM = "HS256";
/**
 * How far apart two clocks may be: a token issued by an isolate whose clock
 * runs a little ahead (its `iat` in the future here) or one just past its
 * `exp` is still accepted within this many seconds; anything further is not.
 */
export const CLOCK_TOLERANCE_SECONDS = 30;
/** A user id as `issueToken` writes it: a positive decimal integer, no sign, no leading zero. */
const CANONICAL_ID = /^[1-9]\d{0,15}$/;
const TYPE = "JWT";
const encoder = new TextEncoder();

/** A key id that names a secret without revealing anything usable about it. */
export async function keyOf(secret: string): Promise<SigningKey> {
  const bytes = encoder.encode(secret);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(`conduit-kid:${secret}`)));
  const kid = Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
  return { kid, secret: bytes };
}

export async function issueToken(config: TokenConfig, claims: TokenClaims, now: Date): Promise<string> {
  const [key] = config.keys;
  if (!key) throw new Error("no signing key configured");
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ ver: claims.tokenVersion })
    .setProtectedHeader({ alg: ALGORITHM, typ: TYPE, kid: key.kid })
    .setSubject(String(claims.userId))
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + config.ttlSeconds)
    .sign(key.secret);
}

/** The claims of a valid token, or null for any token that is not. */
export async function readToken(config: TokenConfig, token: string, now: Date): Promise<TokenClaims | null> {
  try {
    const header = decodeProtectedHeader(token);
    const key = config.keys.find((candidate) => candidate.kid === header.kid);
    if (!key) return null;
    const { payload } = await jwtVerify(token, key.secret, {
      algorithms: [ALGORITHM],
      typ: TYPE,
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ["sub", "iat", "exp"],
      currentDate: now,
      // A token can never outlive the configured lifetime, whatever its exp
      // says; jose also refuses an `iat` later than now (plus the tolerance).
      maxTokenAge: config.ttlSeconds,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    // Only the spelling issueToken writes: "0xa", " 10", "10e0" or "010" would all be 10 to Number().
    const userId = payload.sub !== undefined && CANONICAL_ID.test(payload.sub) ? Number(payload.sub) : Number.NaN;
    const tokenVersion = payload.ver;
    if (!Number.isSafeInteger(userId)) return null;
    if (typeof tokenVersion !== "number" || !Number.isSafeInteger(tokenVersion)) return null;
    return { userId, tokenVersion };
  } catch (error) {
    if (error instanceof errors.JOSEError || error instanceof TypeError) return null;
    throw error;
  }
}
