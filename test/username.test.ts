import { env } from "cloudflare:workers";
import confusablesTxt from "unhomoglyph/data.json";
import { describe, expect, it } from "vitest";
import seedSql from "../drizzle/seed.sql?raw";
import migrationSql from "../migrations/0004_username-skeleton-and-common-passwords.sql?raw";
import { SKELETON_SQL, skeletonInput } from "../src/db/skeleton";
import { asciiSkeleton, RESERVED_USERNAMES, usernameProblem } from "../src/domain/username";
import { inRepertoire } from "../src/domain/username-repertoire";
import { call, registerUser, unique } from "./support/api";

// The username policy (src/domain/username.ts): which names are refused and
// why, which names count as the same look (the skeleton D1 computes from table
// `confusables`), and that the table and the migration's SQL agree with the
// sources they were made from.

/** The skeleton D1 computes for a name (src/db/skeleton.ts). */
async function usernameSkeleton(username: string): Promise<string> {
  const row = await env.DB.prepare(`SELECT ${SKELETON_SQL} AS skeleton`)
    .bind(skeletonInput(username))
    .first<{ skeleton: string }>();
  return row?.skeleton ?? "";
}

/** A character's row, recomputed from the full confusables table: skeleton, lowercase, skeleton. */
const FULL = new Map(Object.entries(confusablesTxt as Record<string, string>));
const fullSkeleton = (text: string) =>
  [...text.normalize("NFD")]
    .map((char) => FULL.get(char) ?? char)
    .join("")
    .normalize("NFD");

const ACCEPTED = [
  "jake",
  "ada",
  "demo",
  "Zoë.Ñandú-7",
  "a.b-c_d",
  "user_42",
  "Ελένη",
  "Иван",
  "김철수",
  "田中たろう",
  "名前_abc",
  "जयराम",
  "مرحبا",
  "שלום",
];

const REFUSED: [string, string][] = [
  [".", "must contain a letter or a digit"],
  ["..", "must contain a letter or a digit"],
  ["-_-", "must contain a letter or a digit"],
  ["\u3164", "can't contain invisible characters"],
  ["\u3164\u3164", "can't contain invisible characters"],
  ["jake\ufe0f", "can't contain invisible characters"],
  ["ja\u200bke", "can't contain invisible characters"],
  ["ja\u00adke", "can't contain invisible characters"],
  ["\u202eekaj", "can't contain bidirectional control characters"],
  ["jake\u2066x\u2069", "can't contain bidirectional control characters"],
  ["jake\u200f", "can't contain bidirectional control characters"],
  ["j\u0430ke", "can't mix scripts (such as Latin with Cyrillic or Greek)"],
  ["p\u0430yp\u0430l", "can't mix scripts (such as Latin with Cyrillic or Greek)"],
  ["abcΩ", "can't mix scripts (such as Latin with Cyrillic or Greek)"],
  ["\u13aada", "may only use scripts in common modern use"],
  ["\ua4ee", "may only use scripts in common modern use"],
  ["\u0301jake", "can't start with a combining mark"],
  ["jake!", "may only contain letters, digits, '_', '.' and '-'"],
];

describe("the username policy", () => {
  it.each(ACCEPTED)("accepts %s", (name) => {
    expect(usernameProblem(name.normalize("NFKC"))).toBeNull();
  });

  it.each(REFUSED)("refuses %j: %s", (name, message) => {
    expect(usernameProblem(name.normalize("NFKC"))).toBe(message);
  });

  it("gives names that look alike one skeleton, and names that do not, different ones", async () => {
    const alike = [
      ["jake", "Jake", "JAKE"],
      ["bob0", "bobO", "b0bo", "BOBO"],
      ["mike", "rnike"],
      ["Iris", "lris", "1ris"],
      ["ОВО", "OBO"], // Cyrillic capitals and Latin ones
      ["ｊａｋｅ", "jake"], // full-width folds by NFKC
      ["José", "Jose\u0301"],
    ];
    for (const group of alike) {
      expect(new Set(await Promise.all(group.map(usernameSkeleton))), group.join(" ")).toHaveProperty("size", 1);
    }
    const apart = ["jake", "jack", "jakes", "iris", "bob"];
    expect(new Set(await Promise.all(apart.map(usernameSkeleton))).size).toBe(apart.length);
  });

  it("holds in table confusables exactly the rows the full confusables table gives the characters a name can hold", async () => {
    const { results } = await env.DB.prepare("SELECT char, prototype FROM confusables").all<{
      char: string;
      prototype: string;
    }>();
    const stored = new Map(results.map((row) => [row.char, row.prototype]));
    const expected = new Map<string, string>();
    // Every character of the full table, and every other letter a name can hold (lowercasing gives those rows).
    const candidates = new Set([...FULL.keys(), ...Array.from({ length: 0x3000 }, (_, i) => String.fromCodePoint(i))]);
    for (const char of candidates) {
      if ([...char].length !== 1 || char.normalize("NFKD") !== char || !inRepertoire(char)) continue;
      const prototype = fullSkeleton(fullSkeleton(char).toLowerCase());
      if (prototype !== char) expected.set(char, prototype);
    }
    for (const [char, prototype] of expected) expect([char, stored.get(char)]).toEqual([char, prototype]);
    expect(expected.size).toBeGreaterThan(1000);
    // Nothing else: every stored row is one of those (characters past U+3000 come from the full table).
    for (const char of stored.keys()) expect(expected.has(char) || char.codePointAt(0)! >= 0x3000, char).toBe(true);
  });

  it("refuses reserved names and their look-alikes at registration, in any case", async () => {
    expect(RESERVED_USERNAMES).toEqual(expect.arrayContaining(["me", "admin", "root", "feed", "."]));
    for (const username of ["me", "Me", "rne", "ADMIN", "Root", "adrnin", "r00t", "feed", "ｆｅｅｄ"]) {
      const reply = await call("POST", "/api/users", {
        body: { user: { username, email: `${unique("r")}@example.com`, password: "safe-pass-1" } },
      });
      expect(reply.status, username).toBe(422);
      expect(reply.body, username).toEqual({ errors: { username: ["is reserved"] } });
    }
  });

  it("computes in the migration's SQL, and in the Worker's rule for reserved names, the table's skeleton of every ASCII name", async () => {
    const expression = /SELECT `id`, (replace\(.*\)) AS `skeleton`/.exec(migrationSql)?.[1];
    expect(expression).toBeDefined();
    const ascii = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
    const names = [...ascii, "Mike_01", "demo", "I1l0Om-m.M", "rnMm"];
    for (const name of names) {
      const row = await env.DB.prepare(`SELECT ${expression} AS skeleton FROM (SELECT ? AS username)`)
        .bind(name)
        .first<{ skeleton: string }>();
      const skeleton = await usernameSkeleton(name);
      // The migration's SQL, the Worker's rule for reserved names and the table agree.
      expect([name, row?.skeleton, asciiSkeleton(name)]).toEqual([name, skeleton, skeleton]);
    }
  });

  it("stores the seeded accounts with the skeletons their names have", async () => {
    const rows = [...seedSql.matchAll(/\('(\w+)', '\w+', '(\w+)', '\w+@conduit\.local'/g)];
    expect(rows.map(([, name]) => name)).toEqual(["jake", "ada", "demo"]);
    for (const [, name, skeleton] of rows) {
      expect(usernameProblem(name ?? "")).toBeNull();
      expect(await usernameSkeleton(name ?? "")).toBe(skeleton);
    }
  });
});

describe("POST /api/users with the username policy", () => {
  const register = (username: string) =>
    call("POST", "/api/users", { body: { user: { username, email: `${unique("e")}@example.com`, password: "safe-pass-1" } } });

  it("stores the NFKC form of a name: full-width letters are plain ones", async () => {
    const suffix = unique("").replace(/\D/g, "");
    const reply = await register(`ｊａｋｅ${suffix}`);
    expect(reply.status).toBe(201);
    expect(reply.body.user.username).toBe(`jake${suffix}`);
    const row = await env.DB.prepare("SELECT username, username_key, username_skeleton FROM users WHERE username = ?")
      .bind(`jake${suffix}`)
      .first();
    expect(row).toEqual({
      username: `jake${suffix}`,
      username_key: `jake${suffix}`,
      username_skeleton: await usernameSkeleton(`jake${suffix}`),
    });
  });

  it("refuses a name that looks like a taken one, and stores nothing", async () => {
    const taken = await registerUser({ username: unique("bob") });
    const lookalike = taken.username.replaceAll("o", "0");
    const reply = await register(lookalike);
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({ errors: { username: ["looks too much like a username that is already taken"] } });
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE username = ?").bind(lookalike).first();
    expect(rows).toEqual({ n: 0 });
  });

  it("lets exactly one of many concurrent registrations of look-alike names win", async () => {
    const base = unique("mob").replace(/\d/g, "x");
    const spellings = [base, base.replace("o", "0"), base.replace("m", "rn"), base.toUpperCase(), base.replace("o", "O")];
    const replies = await Promise.all(spellings.map(register));
    const statuses = replies.map((reply) => reply.status).sort();
    expect(statuses).toEqual([201, 422, 422, 422, 422]);
    for (const loser of replies.filter((reply) => reply.status === 422)) {
      expect(loser.body.errors.username).toHaveLength(1);
      expect(["has already been taken", "looks too much like a username that is already taken"]).toContain(
        loser.body.errors.username[0],
      );
    }
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE username_skeleton = ?")
      .bind(await usernameSkeleton(base))
      .first();
    expect(stored).toEqual({ n: 1 });
  });

  it("lets a user keep their own name's look when changing its spelling", async () => {
    const user = await registerUser({ username: unique("bob") });
    const reply = await call("PUT", "/api/user", {
      token: user.token,
      body: { user: { username: user.username.replaceAll("o", "0") } },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.user.username).toBe(user.username.replaceAll("o", "0"));
  });
});
