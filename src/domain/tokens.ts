import { errors, jwtVerify, SignJWT } from "jose";

// HS256 JWTs with sub (user id), iat, exp, iss, aud and `ver`, the user's token
// version: a password change bumps the stored version, so older tokens stop
// matching. The version is checked against D1 inside each operation's first
// query, which keeps reads at one round trip.

export type TokenConfig = {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
};

export type TokenClaims = { userId: number; tokenVersion: number };

const ALGORITHM = "HS256";
const encoder = new TextEncoder();

export async function issueToken(config: TokenConfig, claims: TokenClaims, now: Date): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ ver: claims.tokenVersion })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
    .setSubject(String(claims.userId))
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + config.ttlSeconds)
    .sign(encoder.encode(config.secret));
}

/** The claims of a valid token, or null for any token that is not. */
export async function readToken(config: TokenConfig, token: string, now: Date): Promise<TokenClaims | null> {
  try {
    const { payload } = await jwtVerify(token, encoder.encode(config.secret), {
      algorithms: [ALGORITHM],
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ["sub", "iat", "exp"],
      currentDate: now,
    });
    const userId = Number(payload.sub);
    const tokenVersion = payload.ver;
    if (!Number.isSafeInteger(userId) || userId < 1) return null;
    if (typeof tokenVersion !== "number" || !Number.isSafeInteger(tokenVersion)) return null;
    return { userId, tokenVersion };
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}
