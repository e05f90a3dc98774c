import { parseXml } from "@rgrove/parse-xml";
import { describe, expect, it } from "vitest";
import { atomXml, stableId, uuidV5 } from "../src/api/atom/feed";
import { FEED_ENTRIES } from "../src/domain/articles";
import { httpDate } from "../src/http/etag";
import { ownMediaRepresentationOf } from "../src/http/negotiation";
import { call, createArticle, type Reply, registerUser, timing, unique } from "./support/api";
import { ATOM_TYPE, RFC_3339, readFeed } from "./support/atom";

// The Atom feeds (/api/articles.atom, ?tag=, /api/profiles/:username/articles.atom):
// every feed a test reads goes through readFeed (test/support/atom.ts), which
// refuses XML that is not well-formed and reads it as a feed reader does.

const ATOM = { Accept: "application/atom+xml" };
const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const authorFeed = (user: { username: string }, query = "") =>
  `/api/profiles/${encodeURIComponent(user.username)}/articles.atom${query}`;
const tagFeed = (tag: string) => `/api/articles.atom?tag=${encodeURIComponent(tag)}`;

async function fetchFeed(path: string, options: Parameters<typeof call>[2] = {}) {
  const reply = await call("GET", path, { ...options, headers: { ...ATOM, ...options.headers } });
  return { reply, ...readFeed(reply, `http://localhost${path}`) };
}

// Text a feed must carry unharmed: XML's specials, emoji, right-to-left
// scripts, text that looks like markup or an entity, and layout characters.
const SPECIALS = `<&>"' &amp; <b>bold</b> ]]>`;
const EMOJI = "👩‍💻🚀🏳️‍🌈";
const RTL = "مرحبا بالعالم עברית";

describe("GET /api/articles.atom", () => {
  it("is an Atom feed a feed reader reads: feed id, title, updated, self and alternate links, entries newest first", async () => {
    const author = await registerUser();
    const older = await createArticle(author, { title: unique("Older "), tagList: ["alpha"] });
    const newer = await createArticle(author, { title: unique("Newer "), description: "The newer one", tagList: ["b", "a"] });
    const { reply, raw, entries, reader } = await fetchFeed("/api/articles.atom");

    expect(reply.headers.get("content-type")).toBe(ATOM_TYPE);
    expect(raw.id).toMatch(URN_UUID);
    expect(raw.title).toBe("Newest articles on Conduit");
    expect(raw.links).toEqual([
      { rel: "self", type: "application/atom+xml", href: "/api/articles.atom" },
      { rel: "alternate", type: "application/json", href: "/api/articles" },
    ]);
    expect(reader.self).toBe("http://localhost/api/articles.atom");
    const [first, second] = entries;
    expect(first?.title).toBe(newer.title);
    expect(second?.title).toBe(older.title);
    expect(raw.updated).toBe(newer.updatedAt);
    expect(reply.headers.get("last-modified")).toBe(new Date(newer.updatedAt).toUTCString());

    expect(first).toEqual({
      id: expect.stringMatching(URN_UUID),
      title: newer.title,
      link: { rel: "alternate", type: "application/json", href: `/api/articles/${newer.slug}` },
      author: { name: author.username, uri: `/api/profiles/${author.username}` },
      published: newer.createdAt,
      updated: newer.updatedAt,
      summary: "The newer one",
      categories: ["a", "b"],
      // The body is Markdown: no content element (README, "Feeds").
      elements: ["id", "title", "link", "author", "published", "updated", "category", "category", "summary"],
    });
    const item = reader.items[0];
    expect(item).toMatchObject({
      id: first?.id,
      title: newer.title,
      url: `http://localhost/api/articles/${newer.slug}`,
      description: "The newer one",
      content: null,
      published: new Date(newer.createdAt),
      updated: new Date(newer.updatedAt),
    });
    expect(item?.authors).toEqual([
      { name: author.username, email: null, url: `http://localhost/api/profiles/${author.username}` },
    ]);
    expect(item?.categories.map((category) => category.term)).toEqual(["a", "b"]);
  });

  it("links each entry to the article, its author to the profile, and the feed to the same list in JSON", async () => {
    const author = await registerUser({
      username: `مؤلف${Math.floor(Math.random() * 1e9)}`,
      email: `${unique("rtl")}@example.com`,
    });
    await createArticle(author, { title: `${RTL} ${EMOJI}` });
    const { entries, raw } = await fetchFeed(authorFeed(author));
    const entry = entries[0];
    const article = await call("GET", entry?.link.href ?? "");
    expect(article.status).toBe(200);
    expect(article.body.article.title).toBe(entry?.title);
    const profile = await call("GET", entry?.author.uri ?? "");
    expect(profile.body.profile.username).toBe(author.username);
    const alternate = raw.links.find((link) => link.rel === "alternate")?.href ?? "";
    expect(alternate).toBe(`/api/articles?author=${encodeURIComponent(author.username)}`);
    const list = await call("GET", alternate);
    expect(list.body.articles.map((a: { title: string }) => a.title)).toEqual(entries.map((e) => e.title));
  });

  it("carries <&>\"', emoji, right-to-left text and control characters as well-formed XML, exactly", async () => {
    const author = await registerUser({
      username: `كاتب${Math.floor(Math.random() * 1e9)}`,
      email: `${unique("rtl")}@example.com`,
    });
    const title = `${SPECIALS} ${EMOJI} ${RTL}`;
    const description = `${SPECIALS}\r\n\t${EMOJI}\n${RTL} \u0001\u001f\u0085\u2028 end`;
    const tags = [`${RTL}`, `q"&<'`, EMOJI];
    await createArticle(author, { title, description, tagList: tags });
    const { entries, reader } = await fetchFeed(authorFeed(author));
    expect(entries[0]).toMatchObject({
      title,
      // C0 controls other than tab, LF and CR cannot be written in XML 1.0 at all: each arrives as U+FFFD.
      summary: `${SPECIALS}\r\n\t${EMOJI}\n${RTL} \ufffd\ufffd\u0085\u2028 end`,
      categories: [...tags].sort(),
      author: { name: author.username, uri: `/api/profiles/${encodeURIComponent(author.username)}` },
    });
    // The feed reader decodes HTML entities in text a second time (its leniency), so only text without them is compared.
    const item = reader.items[0];
    expect(item?.title).toContain(`<&>"' `);
    expect(item?.title).toContain(`${EMOJI} ${RTL}`);
    expect(item?.categories.map((category) => category.term)).toEqual([...tags].sort());
    expect(item?.authors[0]?.name).toBe(author.username);
  });

  it("has at most FEED_ENTRIES entries, the newest, in one D1 round trip", async () => {
    const author = await registerUser();
    const created = [];
    for (let i = 0; i < FEED_ENTRIES + 2; i++) created.push(await createArticle(author, { title: unique(`Bounded ${i} `) }));
    const { reply, entries } = await fetchFeed(authorFeed(author, "?limit=100&offset=5"));
    expect(entries.map((entry) => entry.title)).toEqual(
      created
        .slice(-FEED_ENTRIES)
        .reverse()
        .map((article) => article.title),
    );
    expect(timing(reply)).toEqual({ cache: "miss", d1: 1 });
  });

  it("filters by tag, alone or with the author, and answers an empty feed for a tag nobody uses", async () => {
    const author = await registerUser();
    const other = await registerUser();
    const tag = unique("feedtag");
    const mine = await createArticle(author, { tagList: [tag] });
    const theirs = await createArticle(other, { tagList: [tag] });
    await createArticle(author, { tagList: [unique("else")] });
    const byTag = await fetchFeed(tagFeed(tag));
    expect(byTag.entries.map((entry) => entry.title)).toEqual([theirs.title, mine.title]);
    expect(byTag.raw.title).toBe(`Newest articles tagged “${tag}” on Conduit`);
    expect(byTag.raw.links[0]?.href).toBe(`/api/articles.atom?tag=${tag}`);
    const both = await fetchFeed(authorFeed(author, `?tag=${tag}`));
    expect(both.entries.map((entry) => entry.title)).toEqual([mine.title]);
    expect(both.raw.title).toBe(`Articles by ${author.username} tagged “${tag}” on Conduit`);

    const empty = await fetchFeed(tagFeed(unique("unused")));
    expect(empty.entries).toEqual([]);
    expect(empty.raw.updated).toBe("1970-01-01T00:00:00.000Z");
    expect(empty.reply.headers.get("last-modified")).toBeNull();
  });
});

describe("feed and entry ids", () => {
  it("are unique, the same on every request, and survive a title (and slug) change and the author's rename", async () => {
    const author = await registerUser();
    const [a, b] = [await createArticle(author), await createArticle(author)];
    const first = await fetchFeed(authorFeed(author));
    const again = await fetchFeed(authorFeed(author), { headers: { "Cache-Control": "no-cache" } });
    expect(timing(again.reply).cache).toBe("bypass");
    expect(again.raw.id).toBe(first.raw.id);
    expect(again.entries.map((e) => e.id)).toEqual(first.entries.map((e) => e.id));
    const ids = first.entries.map((e) => e.id);
    expect(new Set(ids).size).toBe(2);
    const everyone = await fetchFeed("/api/articles.atom");
    expect(new Set(everyone.entries.map((e) => e.id)).size).toBe(everyone.entries.length);
    expect(everyone.raw.id).not.toBe(first.raw.id);

    const retitled = await call("PUT", `/api/articles/${a.slug}`, {
      token: author.token,
      body: { article: { title: unique("Retitled ") } },
    });
    expect(retitled.body.article.slug).not.toBe(a.slug);
    const username = unique("renamed");
    await call("PUT", "/api/user", { token: author.token, body: { user: { username } } });
    const after = await fetchFeed(authorFeed({ username }));
    expect(after.raw.id).toBe(first.raw.id);
    expect(after.entries.map((e) => [e.id, e.title, e.link.href, e.author.name])).toEqual([
      [first.entries[0]?.id, b.title, `/api/articles/${b.slug}`, username],
      [first.entries[1]?.id, retitled.body.article.title, `/api/articles/${retitled.body.article.slug}`, username],
    ]);
    expect((await call("GET", authorFeed(author), { headers: ATOM })).status).toBe(404);
  });
});

describe("GET /api/profiles/:username/articles.atom", () => {
  it("finds the author case-insensitively and names them as they spell themselves", async () => {
    const author = await registerUser({ username: unique("MixedCase") });
    await createArticle(author);
    const { raw } = await fetchFeed(authorFeed({ username: author.username.toUpperCase() }));
    expect(raw.links[0]?.href).toBe(`/api/profiles/${author.username}/articles.atom`);
    expect(raw.title).toBe(`Articles by ${author.username} on Conduit`);
  });

  it("is a 404 for an unknown author: in XML for a feed reader, in JSON for a caller that prefers JSON", async () => {
    const path = authorFeed({ username: unique("nobody") });
    for (const accept of ["application/atom+xml", "application/xml", "*/*", ""]) {
      const reply = await call("GET", path, { headers: accept ? { Accept: accept } : {} });
      expect(reply.status, accept).toBe(404);
      expect(reply.headers.get("content-type"), accept).toBe("application/xml; charset=utf-8");
      expect(reply.text, accept).toContain(
        '<errors xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><error field="body">profile not found</error></errors>',
      );
      parseXml(reply.text);
    }
    const json = await call("GET", path, { headers: { Accept: "application/json, application/atom+xml;q=0.5" } });
    expect(json.status).toBe(404);
    expect(json.body).toEqual({ errors: { body: ["profile not found"] } });
  });
});

describe("negotiation", () => {
  it("answers Atom to feed readers, browsers and XML clients, and 406 to a caller that accepts neither", async () => {
    for (const accept of [
      "application/atom+xml",
      "application/atom+xml, application/rss+xml;q=0.9, application/xml;q=0.8, */*;q=0.7",
      "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
      "application/xml",
      "text/xml",
      "*/*",
    ]) {
      const reply = await call("GET", "/api/articles.atom", { headers: { Accept: accept } });
      expect(reply.status, accept).toBe(200);
      expect(reply.headers.get("content-type"), accept).toBe(ATOM_TYPE);
      expect(reply.headers.get("vary"), accept).toContain("Accept");
    }
    for (const accept of ["application/json", "text/html", "application/rss+xml", "application/atom+xml;q=0"]) {
      const reply = await call("GET", "/api/articles.atom", { headers: { Accept: accept } });
      expect(reply.status, accept).toBe(406);
      expect(reply.body, accept).toEqual({ errors: { body: ["this resource is answered in application/atom+xml only"] } });
    }
  });

  it("ownMediaRepresentationOf: whether the feed may be sent, and in which representation its errors are", () => {
    const cases: [string | undefined, ReturnType<typeof ownMediaRepresentationOf>][] = [
      [undefined, "xml"],
      ["*/*", "xml"],
      ["application/atom+xml", "xml"],
      ["application/*", "xml"],
      ["text/xml", "xml"],
      ["application/json, application/atom+xml", "json"],
      ["application/atom+xml, application/json", "xml"],
      ["application/json;q=1, */*;q=0.1", "json"],
      ["application/json", null],
      ["application/atom+xml;charset=latin1", null],
      ["application/atom+xml;q=0, */*", null],
    ];
    for (const [accept, expected] of cases)
      expect(ownMediaRepresentationOf(accept, "application/atom+xml"), accept).toBe(expected);
    expect(ownMediaRepresentationOf("application/xml", "text/calendar")).toBeNull();
  });
});

describe("who may read a feed", () => {
  it("gives a signed-in caller the same feed from D1 (no per-viewer flags), and refuses an invalid or revoked token", async () => {
    const author = await registerUser();
    const reader = await registerUser();
    const article = await createArticle(author);
    await call("POST", `/api/articles/${article.slug}/favorite`, { token: reader.token });
    await call("POST", `/api/profiles/${author.username}/follow`, { token: reader.token });
    const anonymous = await call("GET", authorFeed(author), { headers: ATOM });
    const signedIn = await call("GET", authorFeed(author), { headers: ATOM, token: reader.token });
    readFeed(signedIn);
    expect(signedIn.text).toBe(anonymous.text);
    expect(signedIn.headers.get("etag")).toBe(anonymous.headers.get("etag"));
    expect(timing(signedIn)).toEqual({ cache: "bypass", d1: 1 });
    expect(signedIn.headers.get("cache-control")).toBe("private, no-cache");

    const forged = await call("GET", authorFeed(author), { headers: ATOM, token: `${reader.token.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
    expect(forged.headers.get("www-authenticate")).toBe('Token realm="conduit"');
    expect((await call("POST", "/api/user/logout", { token: reader.token })).status).toBe(204);
    const revoked = await call("GET", authorFeed(author), { headers: ATOM, token: reader.token });
    expect(revoked.status).toBe(401);
    expect(revoked.text).toContain("token is no longer valid");
  });
});

/** Reads `path` anonymously until it is a cache hit. */
async function prime(path: string): Promise<Reply> {
  await call("GET", path, { headers: ATOM });
  const hit = await call("GET", path, { headers: ATOM });
  expect(timing(hit), path).toEqual({ cache: "hit", d1: 0 });
  return hit;
}

describe("the KV cache of feeds", () => {
  it("misses, then hits with the same body, ETag and Last-Modified, and is fresh after a write that changes it", async () => {
    const author = await registerUser();
    const tag = unique("cachedfeed");
    await createArticle(author, { tagList: [tag] });
    for (const path of ["/api/articles.atom", tagFeed(tag), authorFeed(author)]) {
      const miss = await call("GET", path, { headers: ATOM });
      expect(timing(miss), path).toEqual({ cache: "miss", d1: 1 });
      const hit = await call("GET", path, { headers: ATOM });
      expect(timing(hit), path).toEqual({ cache: "hit", d1: 0 });
      expect(hit.text, path).toBe(miss.text);
      for (const header of ["etag", "last-modified", "content-type"]) {
        expect(hit.headers.get(header), `${path} ${header}`).toBe(miss.headers.get(header));
      }
      expect(hit.headers.get("cache-control")).toBe("public, max-age=0, must-revalidate");
      readFeed(hit);
    }
    const created = await createArticle(author, { tagList: [tag] });
    for (const path of ["/api/articles.atom", tagFeed(tag), authorFeed(author)]) {
      const after = await call("GET", path, { headers: ATOM });
      expect(timing(after).cache, path).toBe("miss");
      expect(readFeed(after).entries[0]?.title, path).toBe(created.title);
    }
    await prime(authorFeed(author));
    await call("PUT", `/api/articles/${created.slug}`, {
      token: author.token,
      body: { article: { description: "changed" } },
    });
    const updated = await call("GET", authorFeed(author), { headers: ATOM });
    expect(timing(updated).cache).toBe("miss");
    expect(readFeed(updated).entries[0]?.summary).toBe("changed");
  });
});

describe("conditional GETs of a feed", () => {
  async function scene() {
    const author = await registerUser();
    await createArticle(author);
    const path = authorFeed(author);
    const first = await prime(path);
    return { author, path, etag: first.headers.get("etag") ?? "", lastModified: first.headers.get("last-modified") ?? "" };
  }
  const hourBefore = (date: string) => new Date(Date.parse(date) - 3_600_000).toUTCString();

  it("answers If-None-Match and If-Modified-Since with 304 from the cache, keeping the validators", async () => {
    const { path, etag, lastModified } = await scene();
    expect(lastModified).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    const cases: Record<string, string>[] = [
      { "If-None-Match": etag },
      { "If-Modified-Since": lastModified },
      { "If-Modified-Since": new Date().toUTCString() },
      // If-None-Match wins (RFC 9110 §13.2.2): a match is a 304 whatever the date says.
      { "If-None-Match": etag, "If-Modified-Since": hourBefore(lastModified) },
    ];
    for (const headers of cases) {
      const reply = await call("GET", path, { headers: { ...ATOM, ...headers } });
      const label = JSON.stringify(headers);
      expect(reply.status, label).toBe(304);
      expect(reply.text, label).toBe("");
      expect(timing(reply), label).toEqual({ cache: "hit", d1: 0 });
      expect(reply.headers.get("etag"), label).toBe(etag);
      expect(reply.headers.get("last-modified"), label).toBe(lastModified);
      expect(reply.headers.get("cache-control"), label).toBe("public, max-age=0, must-revalidate");
      expect(reply.headers.get("content-type"), label).toBeNull();
      expect(reply.headers.get("x-request-id"), label).toBeTruthy();
    }
  });

  it("answers 200 when the feed changed since, when If-None-Match does not match (whatever the date), and for dates that are not valid", async () => {
    const { path, lastModified } = await scene();
    const cases: Record<string, string>[] = [
      { "If-Modified-Since": hourBefore(lastModified) },
      { "If-None-Match": '"stale"', "If-Modified-Since": lastModified },
      { "If-Modified-Since": "1" },
      { "If-Modified-Since": new Date(Date.now() + 86_400_000).toISOString() },
      { "If-Modified-Since": new Date(Date.now() + 86_400_000).toUTCString() },
      { "If-Modified-Since": `${lastModified}, ${lastModified}` },
      { "If-Modified-Since": "Fri, 32 Foo 2026 25:61:61 GMT" },
      { "If-Modified-Since": "'; DROP TABLE articles; --" },
    ];
    for (const headers of cases) {
      const reply = await call("GET", path, { headers: { ...ATOM, ...headers } });
      expect(reply.status, JSON.stringify(headers)).toBe(200);
      readFeed(reply);
    }
  });

  it("is a 200 again with a later Last-Modified once an entry is updated", async () => {
    const { author, path, lastModified } = await scene();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const [slug] = (await call("GET", `/api/articles?author=${author.username}`)).body.articles.map(
      (a: { slug: string }) => a.slug,
    );
    await call("PUT", `/api/articles/${slug}`, { token: author.token, body: { article: { body: "new" } } });
    const reply = await call("GET", path, { headers: { ...ATOM, "If-Modified-Since": lastModified } });
    expect(reply.status).toBe(200);
    expect(Date.parse(reply.headers.get("last-modified") ?? "")).toBeGreaterThan(Date.parse(lastModified));
  });

  it("lets a browser on another origin send both validators (preflight) and read Last-Modified (safelisted)", async () => {
    const preflight = await call("OPTIONS", "/api/articles.atom", {
      headers: {
        Origin: "https://reader.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match, if-modified-since",
      },
    });
    expect(preflight.status).toBe(204);
    const allowed = preflight.headers.get("access-control-allow-headers")?.toLowerCase() ?? "";
    for (const header of ["if-none-match", "if-modified-since"]) expect(allowed).toContain(header);
  });

  it("httpDate: the three HTTP-date forms, nothing else", () => {
    const sunday = Date.UTC(1994, 10, 6, 8, 49, 37);
    const cases: [string | undefined, number | null][] = [
      ["Sun, 06 Nov 1994 08:49:37 GMT", sunday],
      ["Sunday, 06-Nov-94 08:49:37 GMT", sunday],
      ["Sun Nov  6 08:49:37 1994", sunday],
      [undefined, null],
      ["", null],
      ["1994-11-06T08:49:37Z", null],
      ["Sun, 06 Nov 1994 08:49:37 UTC", null],
      ["sun, 06 nov 1994 08:49:37 gmt", null],
      ["Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT", null],
      ["784111777", null],
    ];
    for (const [value, expected] of cases) expect(httpDate(value), value).toBe(expected);
  });
});

describe("discovery", () => {
  it("the landing page and the docs link to the feed as <link rel=alternate>; the landing JSON lists it", async () => {
    const link =
      '<link rel="alternate" type="application/atom+xml" title="Newest articles on Conduit" href="/api/articles.atom" />';
    for (const path of ["/", "/docs"]) {
      const page = await call("GET", path, { headers: { Accept: "text/html" } });
      expect(page.text, path).toContain(link);
    }
    const landing = await call("GET", "/", { headers: { Accept: "application/json" } });
    expect(landing.body.links.feed).toBe("/api/articles.atom");
    readFeed(await call("GET", landing.body.links.feed, { headers: ATOM }));
  });
});

describe("the Atom writer", () => {
  it("uuidV5 computes RFC 9562 name-based UUIDs; stableId gives one URN per name", async () => {
    const dns = Uint8Array.from("6ba7b8109dad11d180b400c04fd430c8".match(/../g) ?? [], (hex) => Number.parseInt(hex, 16));
    expect(await uuidV5(dns, "python.org")).toBe("886313e1-3b8a-5372-9b90-0c9aee199e5d");
    expect(await stableId("article:1:2026-01-01T00:00:00.000Z")).toBe(await stableId("article:1:2026-01-01T00:00:00.000Z"));
    expect(await stableId("article:1:2026-01-01T00:00:00.000Z")).not.toBe(await stableId("article:2:2026-01-01T00:00:00.000Z"));
    expect(await stableId("x")).toMatch(URN_UUID);
  });

  it("atomXml writes well-formed XML whatever the text, with RFC 3339 dates as given", () => {
    const hostile = `${SPECIALS} \u0000\u0008\ud800\uffff ${EMOJI} ${RTL}\r\n\t`;
    const xml = atomXml({
      id: "urn:uuid:00000000-0000-5000-8000-000000000000",
      title: hostile,
      updated: "2026-01-01T00:00:00.000Z",
      self: `/api/articles.atom?tag=${encodeURIComponent(SPECIALS)}&x=${hostile}`,
      alternate: '/api/articles?tag="&<>',
      entries: [
        {
          id: "urn:uuid:00000000-0000-5000-8000-000000000001",
          title: hostile,
          link: "/api/articles/x",
          author: { name: hostile, uri: "/api/profiles/x" },
          published: "2026-01-01T00:00:00.000Z",
          updated: "2026-01-01T00:00:00.000Z",
          summary: hostile,
          categories: [hostile, '"'],
        },
      ],
    });
    const root = parseXml(xml).root;
    expect(root?.name).toBe("feed");
    const text = root?.text ?? "";
    expect(text).toContain(`${SPECIALS} \ufffd\ufffd\ufffd\ufffd ${EMOJI} ${RTL}\r\n\t`);
    expect(xml).toMatch(/<updated>2026-01-01T00:00:00.000Z<\/updated>/);
    expect("2026-01-01T00:00:00.000Z").toMatch(RFC_3339);
  });
});
