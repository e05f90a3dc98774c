import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, registerUser, type TestUser, unique } from "./support/api";
import { rows } from "./support/d1";

// Rows of `follows` between two users, looked up by their stored usernames.
const followRows = (follower: string, followee: string) =>
  rows(
    `SELECT f.follower_id, f.followee_id FROM follows f
       JOIN users a ON a.id = f.follower_id
       JOIN users b ON b.id = f.followee_id
      WHERE a.username = ? AND b.username = ?`,
    follower,
    followee,
  );

async function followersOf(followee: string) {
  const followers = await rows<{ follower: string }>(
    `SELECT a.username AS follower FROM follows f
       JOIN users a ON a.id = f.follower_id
       JOIN users b ON b.id = f.followee_id
      WHERE b.username = ? ORDER BY a.username`,
    followee,
  );
  return followers.map((row) => row.follower);
}

const profilePath = (username: string) => `/api/profiles/${encodeURIComponent(username)}`;
const followPath = (username: string) => `${profilePath(username)}/follow`;
const follow = (who: TestUser, username: string) => call("POST", followPath(username), { token: who.token });
const unfollow = (who: TestUser, username: string) => call("DELETE", followPath(username), { token: who.token });

describe("GET /api/profiles/:username", () => {
  it("returns exactly username, bio null, image null and following false for a fresh user", async () => {
    const viewer = await registerUser();
    const target = await registerUser();
    const reply = await call("GET", profilePath(target.username), { token: viewer.token });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(reply.body).toStrictEqual({ profile: { username: target.username, bio: null, image: null, following: false } });
    expect(Object.keys(reply.body.profile).sort()).toEqual(["bio", "following", "image", "username"]);
  });

  it("works without any Authorization header", async () => {
    const target = await registerUser();
    const reply = await call("GET", profilePath(target.username));
    expect(reply.status).toBe(200);
    expect(reply.body).toStrictEqual({ profile: { username: target.username, bio: null, image: null, following: false } });
  });

  it("finds a username case-insensitively and answers with the stored spelling", async () => {
    const target = await registerUser({ username: unique("MixedCase") });
    for (const spelling of [target.username.toLowerCase(), target.username.toUpperCase()]) {
      const reply = await call("GET", profilePath(spelling));
      expect(reply.status).toBe(200);
      expect(reply.body.profile.username).toBe(target.username);
    }
  });

  it("answers 404 with the contract's error envelope for an unknown username", async () => {
    const reply = await call("GET", profilePath(unique("nobody")));
    expect(reply.status).toBe(404);
    expect(reply.body).toStrictEqual({ errors: { body: ["profile not found"] } });
  });

  it("finds usernames with unicode letters, '.', '-' and '_' when they are URL-encoded", async () => {
    const suffix = unique("").toLowerCase();
    // One script per name (Japanese may mix Han with Latin): the Greek name takes digits only.
    const digits = suffix.replace(/\D/g, "");
    for (const username of [`Zoë.Ñandú-${suffix}`, `名前_${suffix}`, `a.b-c_d${suffix}`, `Ελένη${digits}`]) {
      const user = await registerUser({ username, email: `${unique("u")}@example.com` });
      const reply = await call("GET", profilePath(user.username));
      expect(reply.status, username).toBe(200);
      expect(reply.body.profile.username).toBe(username);
    }
  });

  it("folds a decomposed (NFD) spelling in the URL to the registered composed (NFC) username", async () => {
    const username = `José${unique("n")}`;
    await registerUser({ username, email: `${unique("u")}@example.com` });
    const reply = await call("GET", profilePath(username.normalize("NFD")));
    expect(reply.status).toBe(200);
    expect(reply.body.profile.username).toBe(username);
  });

  it("refuses a malformed Authorization header with 401 even though auth is optional here", async () => {
    const target = await registerUser();
    for (const header of ["Token", "Token not-a-jwt", "Basic dXNlcjpwYXNz", "Token a.b.c"]) {
      const reply = await call("GET", profilePath(target.username), { headers: { Authorization: header } });
      expect(reply.status, header).toBe(401);
      expect(reply.headers.get("www-authenticate")).toBe('Token realm="conduit"');
      expect(Object.keys(reply.body.errors)).toEqual(["body"]);
    }
  });
});

describe("following", () => {
  it("POST follow answers 200 with following true and stores one follows row", async () => {
    const fan = await registerUser();
    const author = await registerUser();
    const reply = await follow(fan, author.username);
    expect(reply.status).toBe(200);
    expect(reply.body).toStrictEqual({ profile: { username: author.username, bio: null, image: null, following: true } });
    expect(await followRows(fan.username, author.username)).toHaveLength(1);
    expect(await followRows(author.username, fan.username)).toHaveLength(0);
  });

  it("following twice is idempotent: still 200, following true, one row", async () => {
    const fan = await registerUser();
    const author = await registerUser();
    expect((await follow(fan, author.username)).status).toBe(200);
    const again = await follow(fan, author.username);
    expect(again.status).toBe(200);
    expect(again.body.profile.following).toBe(true);
    expect(await followRows(fan.username, author.username)).toHaveLength(1);
  });

  it("GET profile shows following true to the follower only, false to others and to anonymous callers", async () => {
    const fan = await registerUser();
    const other = await registerUser();
    const author = await registerUser();
    await follow(fan, author.username);
    expect((await call("GET", profilePath(author.username), { token: fan.token })).body.profile.following).toBe(true);
    expect((await call("GET", profilePath(author.username), { token: other.token })).body.profile.following).toBe(false);
    expect((await call("GET", profilePath(author.username))).body.profile.following).toBe(false);
  });

  it("follows through a differently cased username and answers with the stored spelling", async () => {
    const fan = await registerUser();
    const author = await registerUser({ username: unique("CamelAuthor") });
    const reply = await follow(fan, author.username.toLowerCase());
    expect(reply.status).toBe(200);
    expect(reply.body.profile).toMatchObject({ username: author.username, following: true });
    expect(await followRows(fan.username, author.username)).toHaveLength(1);
  });

  it("DELETE follow answers following false and removes the row", async () => {
    const fan = await registerUser();
    const author = await registerUser();
    await follow(fan, author.username);
    const reply = await unfollow(fan, author.username);
    expect(reply.status).toBe(200);
    expect(reply.body).toStrictEqual({ profile: { username: author.username, bio: null, image: null, following: false } });
    expect(await followRows(fan.username, author.username)).toHaveLength(0);
    expect((await call("GET", profilePath(author.username), { token: fan.token })).body.profile.following).toBe(false);
  });

  it("unfollowing someone not followed answers 200 with following false", async () => {
    const fan = await registerUser();
    const author = await registerUser();
    const reply = await unfollow(fan, author.username);
    expect(reply.status).toBe(200);
    expect(reply.body.profile.following).toBe(false);
    expect(await followRows(fan.username, author.username)).toHaveLength(0);
  });

  it("unfollowing removes only the caller's row, not other followers'", async () => {
    const fan = await registerUser();
    const otherFan = await registerUser();
    const author = await registerUser();
    await follow(fan, author.username);
    await follow(otherFan, author.username);
    await unfollow(fan, author.username);
    expect(await followersOf(author.username)).toEqual([otherFan.username]);
  });

  it("refuses anonymous follow and unfollow with 401 and writes nothing", async () => {
    const fan = await registerUser();
    const author = await registerUser();
    await follow(fan, author.username);
    const post = await call("POST", followPath(author.username));
    expect(post.status).toBe(401);
    expect(post.body).toStrictEqual({ errors: { body: ["authentication is required"] } });
    const del = await call("DELETE", followPath(author.username));
    expect(del.status).toBe(401);
    expect(del.body).toStrictEqual({ errors: { body: ["authentication is required"] } });
    expect(await followersOf(author.username)).toEqual([fan.username]);
  });

  it("answers 404 profile not found when following or unfollowing an unknown user", async () => {
    const fan = await registerUser();
    const name = unique("ghost");
    for (const reply of [await follow(fan, name), await unfollow(fan, name)]) {
      expect(reply.status).toBe(404);
      expect(reply.body).toStrictEqual({ errors: { body: ["profile not found"] } });
    }
  });

  it("refuses following yourself with 422 on the username field and stores no row", async () => {
    const me = await registerUser({ username: unique("SelfFan") });
    for (const spelling of [me.username, me.username.toLowerCase()]) {
      const reply = await follow(me, spelling);
      expect(reply.status).toBe(422);
      expect(reply.body).toStrictEqual({ errors: { username: ["is your own: you cannot follow yourself"] } });
    }
    expect(await followRows(me.username, me.username)).toHaveLength(0);
  });
});

describe("profile reflects the user's settings", () => {
  it("shows bio and image after PUT /api/user, and null again after they are sent as empty strings", async () => {
    const user = await registerUser();
    const image = "https://example.com/avatar.png";
    const update = await call("PUT", "/api/user", { token: user.token, body: { user: { bio: "I write things", image } } });
    expect(update.status).toBe(200);
    const shown = await call("GET", profilePath(user.username));
    expect(shown.body).toStrictEqual({ profile: { username: user.username, bio: "I write things", image, following: false } });

    const cleared = await call("PUT", "/api/user", { token: user.token, body: { user: { bio: "", image: "" } } });
    expect(cleared.status).toBe(200);
    const after = await call("GET", profilePath(user.username));
    expect(after.body).toStrictEqual({ profile: { username: user.username, bio: null, image: null, following: false } });
    const { results } = await env.DB.prepare("SELECT bio, image FROM users WHERE username = ?").bind(user.username).all();
    expect(results).toEqual([{ bio: null, image: null }]);
  });

  it("the follow response carries the followee's bio and image", async () => {
    const fan = await registerUser();
    const author = await registerUser();
    await call("PUT", "/api/user", { token: author.token, body: { user: { bio: "Author bio" } } });
    const reply = await follow(fan, author.username);
    expect(reply.body.profile).toStrictEqual({ username: author.username, bio: "Author bio", image: null, following: true });
  });
});

describe("concurrent follows", () => {
  it("eight users following one author at once leave eight distinct rows", async () => {
    const author = await registerUser();
    const fans = await Promise.all(Array.from({ length: 8 }, () => registerUser()));
    const replies = await Promise.all(fans.map((fan) => follow(fan, author.username)));
    expect(replies.map((reply) => reply.status)).toEqual(Array(8).fill(200));
    expect(await followersOf(author.username)).toEqual(fans.map((fan) => fan.username).sort());
    const { results } = await env.DB.prepare(
      "SELECT COUNT(*) AS n, COUNT(DISTINCT follower_id) AS d FROM follows WHERE followee_id = (SELECT id FROM users WHERE username = ?)",
    )
      .bind(author.username)
      .all();
    expect(results).toEqual([{ n: 8, d: 8 }]);
  });

  it("one user following the same author five times at once leaves exactly one row", async () => {
    const fan = await registerUser();
    const author = await registerUser();
    const replies = await Promise.all(Array.from({ length: 5 }, () => follow(fan, author.username)));
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(reply.body.profile.following).toBe(true);
    }
    expect(await followRows(fan.username, author.username)).toHaveLength(1);
  });
});
