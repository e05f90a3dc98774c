import { parseXml, XmlElement } from "@rgrove/parse-xml";
import { describe, expect, it } from "vitest";
import { fromXml, toXml } from "../src/api/xml/codec";
import { HttpError } from "../src/http/problem";
import { call, createArticle, registerUser, timing, unique } from "./support/api";
import { count } from "./support/d1";
import { expectUnchanged, snapshot } from "./support/snapshot";
import { jsonOfXml } from "./support/xml";

// The XML representation of every REST route: each answer is read back with an
// independent parser and compared with its JSON twin; every write is also sent
// as XML; hostile XML is refused before parsing and changes nothing; text that
// is not well-formed XML 1.0 is refused, never stored altered.

const XML = { Accept: "application/xml" };
const XML_BODY = { "Content-Type": "application/xml", Accept: "application/xml" };

async function bothWays(method: string, path: string, token?: string) {
  const json = await call(method, path, { token: token ?? null });
  const xml = await call(method, path, { token: token ?? null, headers: XML });
  expect(xml.status, path).toBe(json.status);
  expect(xml.headers.get("content-type"), path).toBe("application/xml; charset=utf-8");
  expect(xml.headers.get("vary"), path).toContain("Accept");
  expect(jsonOfXml(xml.text), path).toEqual(json.body);
  return { json, xml };
}

async function scene() {
  const author = await registerUser();
  const reader = await registerUser();
  await call("PUT", "/api/user", { token: author.token, body: { user: { bio: 'Writes <b>"bold"</b> & more' } } });
  const article = await createArticle(author, { title: unique("Ünïcode & <xml> "), tagList: ["x&y", "日本"] });
  await call("POST", `/api/articles/${article.slug}/comments`, { token: reader.token, body: { comment: { body: "a < b > c" } } });
  await call("POST", `/api/articles/${article.slug}/favorite`, { token: reader.token });
  await call("POST", `/api/profiles/${author.username}/follow`, { token: reader.token });
  return { author, reader, article };
}

describe("every REST read as XML carries the same data as its JSON twin", () => {
  it("for lists, articles, comments, profiles, tags, the feed and the current user", async () => {
    const { author, reader, article } = await scene();
    await bothWays("GET", "/api/articles");
    await bothWays("GET", `/api/articles?author=${author.username}&limit=1`, reader.token);
    await bothWays("GET", "/api/articles/feed", reader.token);
    await bothWays("GET", `/api/articles/${article.slug}`);
    await bothWays("GET", `/api/articles/${article.slug}`, reader.token);
    await bothWays("GET", `/api/articles/${article.slug}/comments`, reader.token);
    await bothWays("GET", `/api/profiles/${author.username}`, reader.token);
    await bothWays("GET", "/api/tags");
    await bothWays("GET", "/api/user", reader.token);
  });

  it("escapes text and marks nulls with xsi:nil", async () => {
    const { author, article } = await scene();
    const { xml } = await bothWays("GET", `/api/articles/${article.slug}`);
    expect(xml.text).toContain('xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"');
    expect(xml.text).toContain("<tag>x&amp;y</tag>");
    expect(xml.text).toContain('<image xsi:nil="true"/>');
    expect(xml.text).toContain('<bio>Writes &lt;b&gt;"bold"&lt;/b&gt; &amp; more</bio>');
    expect(xml.text).not.toContain("<b>");
    const profile = await call("GET", `/api/profiles/${author.username}`, { headers: XML });
    expect(profile.text).toMatch(/<profile xmlns:xsi="[^"]+"><username>/);
  });

  it("replaces characters XML 1.0 cannot carry instead of sending a broken document", async () => {
    const user = await registerUser();
    const article = await createArticle(user, { body: "bell \u0007 and form feed \u000c" });
    const xml = await call("GET", `/api/articles/${article.slug}`, { headers: XML });
    expect(xml.text).toContain("<body>bell \uFFFD and form feed \uFFFD</body>");
    expect(() => parseXml(xml.text)).not.toThrow();
  });

  it("serves cached answers as XML too, with an ETag of their own and 304 on it", async () => {
    const { article } = await scene();
    const path = `/api/articles/${article.slug}`;
    const json = await call("GET", path);
    await call("GET", path, { headers: XML });
    const xml = await call("GET", path, { headers: XML });
    expect(timing(xml).cache).toBe("hit");
    expect(xml.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    const etag = xml.headers.get("etag");
    expect(etag).toMatch(/-xml"$/);
    expect(etag).not.toBe(json.headers.get("etag"));
    const revalidated = await call("GET", path, { headers: { ...XML, "If-None-Match": etag! } });
    expect(revalidated.status).toBe(304);
    const jsonWithXmlTag = await call("GET", path, { headers: { "If-None-Match": etag! } });
    expect(jsonWithXmlTag.status).toBe(200);
  });
});

describe("errors in XML", () => {
  it("carry the same statuses and field messages as JSON", async () => {
    const { author, reader, article } = await scene();
    const cases: [string, string, { token?: string; rawBody?: string }][] = [
      ["GET", "/api/user", {}],
      ["GET", "/api/articles/no-such-article", {}],
      ["GET", "/api/articles?limit=0", {}],
      ["PUT", `/api/articles/${article.slug}`, { token: reader.token, rawBody: "<article><body>x</body></article>" }],
      ["DELETE", `/api/articles/${article.slug}`, { token: reader.token }],
      ["POST", "/api/users", { rawBody: "<user><username>has space</username><email>no</email><password>x</password></user>" }],
      ["POST", "/api/users/login", { rawBody: `<user><email>${author.email}</email><password>wrong password</password></user>` }],
    ];
    for (const [method, path, { token, rawBody }] of cases) {
      const headers: Record<string, string> = rawBody ? { "Content-Type": "application/xml" } : {};
      const jsonBody = rawBody ? jsonOfXmlBody(rawBody) : undefined;
      const json = await call(method, path, { token: token ?? null, ...(jsonBody ? { body: jsonBody } : {}) });
      const xml = await call(method, path, { token: token ?? null, rawBody, headers: { ...headers, Accept: "application/xml" } });
      expect(xml.status, `${method} ${path}`).toBe(json.status);
      expect(xml.status).toBeGreaterThanOrEqual(400);
      expect(xml.headers.get("content-type")).toBe("application/xml; charset=utf-8");
      expect(jsonOfXml(xml.text), `${method} ${path}`).toEqual(json.body);
    }
  });
});

/** The JSON twin of a simple XML request body (flat fields under one root). */
function jsonOfXmlBody(xml: string): unknown {
  const root = parseXml(xml).root;
  const fields = root?.children.filter((child) => child instanceof XmlElement) ?? [];
  return { [root?.name ?? ""]: Object.fromEntries(fields.map((field) => [field.name, field.text])) };
}

describe("writes with XML bodies", () => {
  it("register, log in, update the user, create and update an article, comment: same results as JSON", async () => {
    const name = unique("xmluser");
    const registered = await call("POST", "/api/users", {
      rawBody: `<?xml version="1.0" encoding="UTF-8"?><user><username>${name}</username><email>${name}@example.com</email><password>safe-pass-1</password></user>`,
      headers: XML_BODY,
    });
    expect(registered.status).toBe(201);
    const user = (jsonOfXml(registered.text) as { user: { token: string; username: string } }).user;
    expect(user.username).toBe(name);

    const login = await call("POST", "/api/users/login", {
      rawBody: `<user><email>${name.toUpperCase()}@EXAMPLE.COM</email><password>safe-pass-1</password></user>`,
      headers: { "Content-Type": "text/xml; charset=utf-8" },
    });
    expect(login.status).toBe(200);
    expect(login.body.user.username).toBe(name);

    const updated = await call("PUT", "/api/user", {
      token: user.token,
      rawBody: `<user xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><bio>Hi &amp; welcome</bio><image xsi:nil="true"/></user>`,
      headers: { "Content-Type": "application/xml" },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.user).toMatchObject({ bio: "Hi & welcome", image: null });

    const title = unique("XML & friends ");
    const created = await call("POST", "/api/articles", {
      token: user.token,
      rawBody: `<article><title>${title.replace("&", "&amp;")}</title><description>d</description><body><![CDATA[<p>raw</p>]]></body><tagList><tag>solo</tag></tagList></article>`,
      headers: { "Content-Type": "application/xml" },
    });
    expect(created.status).toBe(201);
    expect(created.body.article).toMatchObject({ title, body: "<p>raw</p>", tagList: ["solo"] });

    const slug = created.body.article.slug as string;
    const cleared = await call("PUT", `/api/articles/${slug}`, {
      token: user.token,
      rawBody: "<article><tagList/></article>",
      headers: { "Content-Type": "application/xml" },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body.article.tagList).toEqual([]);

    const comment = await call("POST", `/api/articles/${slug}/comments`, {
      token: user.token,
      rawBody: "<comment><body>First &lt;3</body></comment>",
      headers: XML_BODY,
    });
    expect(comment.status).toBe(200);
    expect((jsonOfXml(comment.text) as { comment: { body: string } }).comment.body).toBe("First <3");
  });

  it("validates XML bodies with the same schemas and messages as JSON", async () => {
    const user = await registerUser();
    const xml = await call("POST", "/api/articles", {
      token: user.token,
      rawBody: "<article><title>  </title><tagList><tag/></tagList></article>",
      headers: { "Content-Type": "application/xml" },
    });
    const json = await call("POST", "/api/articles", { token: user.token, body: { article: { title: "  ", tagList: [""] } } });
    expect(xml.status).toBe(422);
    expect(xml.body).toEqual(json.body);
    const wrongRoot = await call("POST", "/api/articles", {
      token: user.token,
      rawBody: "<user><title>t</title></user>",
      headers: { "Content-Type": "application/xml" },
    });
    expect(wrongRoot.status).toBe(422);
    expect(wrongRoot.body).toEqual({ errors: { article: ["is required"] } });
  });
});

describe("hostile XML", () => {
  const bodies: [string, string][] = [
    ["an internal entity", '<!DOCTYPE article [<!ENTITY t "title">]><article><title>&t;</title></article>'],
    [
      "billion laughs",
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><article><title>&lol2;</title></article>',
    ],
    [
      "an external entity",
      '<!DOCTYPE article [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><article><title>&xxe;</title></article>',
    ],
    ["an external DTD", '<!DOCTYPE article SYSTEM "http://example.com/evil.dtd"><article><title>t</title></article>'],
    ["a parameter entity", '<!DOCTYPE a [<!ENTITY % p SYSTEM "http://example.com/p">%p;]><article/>'],
    ["a lower-case doctype", "<!doctype article><article><title>t</title></article>"],
  ];

  for (const [name, rawBody] of bodies) {
    it(`refuses ${name} with 400 before parsing, storing nothing`, async () => {
      const user = await registerUser();
      const before = await count("SELECT count(*) AS n FROM articles");
      const reply = await call("POST", "/api/articles", { token: user.token, rawBody, headers: XML_BODY });
      expect(reply.status).toBe(400);
      expect(jsonOfXml(reply.text)).toEqual({
        errors: { body: ["XML bodies may not contain a DOCTYPE or entity declarations"] },
      });
      expect(reply.text).not.toContain("root:");
      expect(await count("SELECT count(*) AS n FROM articles")).toBe(before);
    });
  }

  it("answers 400 for text that is not well-formed XML, in the XML error shape, storing nothing", async () => {
    const user = await registerUser();
    const articleWith = (body: string) =>
      `<article><title>${unique("t")}</title><description>d</description><body>${body}</body></article>`;
    const bodies: [string, RegExp][] = [
      ["<article><title>t</article>", /Missing end tag for element title/],
      ["<article>", /Missing end tag for element article/],
      ["<a/><b/>", /Extra content at the end of the document/],
      ["not xml at all", /Root element is missing or invalid/],
      ["<article><title>t</title></article><!-- -->x", /Extra content at the end of the document/],
      [articleWith("nul &#0; here"), /Character reference resolves to an invalid character/],
      [articleWith("half a pair &#xD800; here"), /Character reference resolves to an invalid character/],
      [articleWith("not a character &#xFFFE; here"), /Character reference resolves to an invalid character/],
      [articleWith("&nbsp;is HTML"), /Named entity isn't defined: &nbsp;/],
      [articleWith("a bell \u0007 raw"), /Invalid character/],
      [articleWith("AT&T"), /Unterminated reference/],
    ];
    for (const [rawBody, reason] of bodies) {
      const before = await snapshot();
      const reply = await call("POST", "/api/articles", { token: user.token, rawBody, headers: XML_BODY });
      expect(reply.status, rawBody).toBe(400);
      expect(reply.text).toMatch(
        /<errors xmlns:xsi="[^"]+"><error field="body">request body is not valid XML: [^<]+<\/error><\/errors>$/,
      );
      const message = (jsonOfXml(reply.text) as { errors: { body: string[] } }).errors.body[0];
      expect(message, rawBody).toMatch(reason);
      await expectUnchanged(before, rawBody);
    }
  });

  it("answers 413 for an XML body over 1 MiB", async () => {
    const user = await registerUser();
    const huge = `<article><title>t</title><description>d</description><body>${"x".repeat(1024 * 1024)}</body></article>`;
    const big = await call("POST", "/api/articles", { token: user.token, rawBody: huge, headers: XML_BODY });
    expect(big.status).toBe(413);
  });

  it("decodes character references but never expands past the body cap", async () => {
    const user = await registerUser();
    const refs = "&#60;".repeat(50_000);
    const reply = await call("POST", "/api/articles", {
      token: user.token,
      rawBody: `<article><title>t</title><description>d</description><body>${refs}</body></article>`,
      headers: XML_BODY,
    });
    expect(reply.status).toBe(201);
    expect((jsonOfXml(reply.text) as { article: { body: string } }).article.body).toBe("<".repeat(50_000));
  });
});

/** The HttpError fromXml throws for a body it refuses. */
function refusalOf(xml: string): HttpError {
  try {
    fromXml(xml);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error(`accepted: ${xml.slice(0, 80)}`);
}

describe("fromXml", () => {
  const nested = (levels: number) => `${"<a>".repeat(levels)}${"</a>".repeat(levels)}`;
  // XML body → the JSON text of its twin: the same object, own keys and all.
  const twins: [string, string, string][] = [
    [
      "the convention's example",
      "<article><title>T</title><tagList><tag>a</tag><tag>b</tag></tagList></article>",
      '{"article":{"title":"T","tagList":["a","b"]}}',
    ],
    [
      "indented, with a declaration",
      '<?xml version="1.0" encoding="utf-8"?>\n<article>\n  <title>t</title>\n  <tagList>\n    <tag>a</tag>\n  </tagList>\n</article>\n',
      '{"article":{"title":"t","tagList":["a"]}}',
    ],
    [
      "xsi:nil, an empty element, empty lists",
      '<user xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><image xsi:nil="true"/><bio></bio><tagList/><tags> </tags></user>',
      '{"user":{"image":null,"bio":"","tagList":[],"tags":[]}}',
    ],
    ["namespace prefixes removed", '<a:article xmlns:a="urn:x"><a:title>t</a:title></a:article>', '{"article":{"title":"t"}}'],
    ["CDATA as written", "<comment><body><![CDATA[<p>&amp;</p>]]></body></comment>", '{"comment":{"body":"<p>&amp;</p>"}}'],
    [
      "XML's five entities and character references",
      "<comment><body>&lt;&gt;&amp;&quot;&apos;&#x1F600;&#233;&#13;&#9;</body></comment>",
      '{"comment":{"body":"<>&\\"\'😀é\\r\\t"}}',
    ],
    [
      "spaces kept, line ends as XML 1.0 reads them",
      "<comment><body>  a\r\nb\rc  </body></comment>",
      '{"comment":{"body":"  a\\nb\\nc  "}}',
    ],
    [
      "comments and processing instructions carry no data",
      "<comment><body>a<!-- note -->b<?pi x?>c</body></comment>",
      '{"comment":{"body":"abc"}}',
    ],
    [
      "Object.prototype's names as fields",
      "<article><__proto__><polluted>yes</polluted></__proto__><constructor><prototype>p</prototype></constructor><toString>s</toString></article>",
      '{"article":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":"p"},"toString":"s"}}',
    ],
    ["__proto__ as the root", "<__proto__><title>t</title></__proto__>", '{"__proto__":{"title":"t"}}'],
    ["nesting 100 levels deep", `<article>${nested(99)}</article>`, `{"article":${'{"a":'.repeat(99)}""${"}".repeat(99)}}`],
  ];
  for (const [what, xml, json] of twins) {
    it(`reads ${what} as its JSON twin`, () => {
      const read = fromXml(xml);
      expect(JSON.stringify(read)).toBe(JSON.stringify(JSON.parse(json)));
      expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  const NOT_XML = "request body is not valid XML: ";
  const refused: [string, string, string | RegExp][] = [
    ["a DOCTYPE", "<!DOCTYPE a><a/>", "XML bodies may not contain a DOCTYPE or entity declarations"],
    ["a reference to NUL", "<a>&#0;</a>", /Character reference resolves to an invalid character/],
    ["a reference to a lone surrogate", "<a>&#xD800;</a>", /Character reference resolves to an invalid character/],
    ["a reference to U+FFFE", "<a>&#xFFFE;</a>", /Character reference resolves to an invalid character/],
    ["a reference past U+10FFFF", "<a>&#x110000;</a>", /Character reference resolves to an invalid character/],
    ["a malformed character reference", "<a>&#xZZ;</a>", /Invalid character reference/],
    ["an HTML entity", "<a>&nbsp;</a>", /Named entity isn't defined: &nbsp;/],
    ["an undeclared entity", "<a>&undefined;</a>", /Named entity isn't defined: &undefined;/],
    ["a bare ampersand", "<a>AT&T</a>", /Unterminated reference/],
    ["a raw NUL", "<a>\u0000</a>", /Invalid character/],
    ["a raw vertical tab", "<a>\u000B</a>", /Invalid character/],
    ["a raw escape in CDATA", "<a><![CDATA[\u001B]]></a>", /Invalid character/],
    ["a raw control character in an attribute", '<a b="\u0001"/>', /Invalid character/],
    ["a raw control character in a comment", "<a><!--\u0002--></a>", /Invalid character/],
    ["an unclosed element", "<a><b></a>", /Missing end tag for element b/],
    ["two roots", "<a/><b/>", /Extra content at the end of the document/],
    ["no root", "text", /Root element is missing or invalid/],
    ["a duplicate attribute", '<a b="1" b="2"/>', /Duplicate attribute/],
    ["an XML declaration after the start", ' <?xml version="1.0"?><a/>', /XML declaration isn't allowed here/],
    [
      "a declared encoding other than UTF-8",
      '<?xml version="1.0" encoding="ISO-8859-1"?><a/>',
      "XML bodies must be UTF-8, not ISO-8859-1",
    ],
    ["text beside elements", "<article>x<title>t</title></article>", "<article> mixes text and elements"],
    ["a repeated field", "<article><title>a</title><title>b</title></article>", "<article> contains <title> more than once"],
    [
      "a field repeated under two prefixes",
      '<article xmlns:a="urn:a" xmlns:b="urn:b"><a:title>a</a:title><b:title>b</b:title></article>',
      "<article> contains <title> more than once",
    ],
    ["content in a nil element", '<user><bio xsi:nil="true">x</bio></user>', '<bio> is marked xsi:nil="true" but is not empty'],
    [
      "another element in a list",
      "<article><tagList><tag>a</tag><label>b</label></tagList></article>",
      "<tagList> may only contain <tag> elements",
    ],
    ["nesting 101 levels deep", `<article>${nested(100)}</article>`, "XML elements may not be nested more than 100 levels deep"],
    [
      "nesting 100,000 levels deep",
      `<article>${nested(100_000)}</article>`,
      "XML elements may not be nested more than 100 levels deep",
    ],
  ];
  for (const [what, xml, message] of refused) {
    it(`refuses ${what} with 400`, () => {
      const refusal = refusalOf(xml);
      expect(refusal.status).toBe(400);
      if (typeof message === "string") expect(refusal.message).toBe(message);
      else expect(refusal.message).toMatch(new RegExp(`^${NOT_XML}.*${message.source}`));
    });
  }
});

describe("toXml", () => {
  it("writes CR (and tab and LF in attributes) as references, so an XML reader gets the text as stored", () => {
    const text = "a\r\nb\rc\td\ne";
    const comment = parseXml(toXml({ comment: { body: text } })).root;
    expect(comment?.text).toBe(text);
    const error = parseXml(toXml({ errors: { [text]: [text] } })).root?.children[0];
    expect(error instanceof XmlElement && [error.attributes.field, error.text]).toEqual([text, text]);
  });
});

describe("content negotiation", () => {
  const typeFor = async (accept: string, headers: Record<string, string> = {}) => {
    const reply = await call("GET", "/api/tags", { headers: { Accept: accept, ...headers } });
    return reply.status === 406 ? 406 : reply.headers.get("content-type");
  };
  const json = "application/json; charset=utf-8";
  const xml = "application/xml; charset=utf-8";

  it("follows q-values and specificity, defaults to JSON and answers 406 when nothing fits", async () => {
    const cases: [string, string | number][] = [
      ["", json],
      ["*/*", json],
      ["application/*", json],
      ["application/xml", xml],
      ["text/xml", xml],
      ["text/*", xml],
      ["application/json, application/xml", json],
      ["application/xml, application/json", xml],
      ["application/xml;q=0.9, application/json;q=0.5", xml],
      ["application/xml;q=0.4, application/json;q=0.5", json],
      ["application/xml, */*;q=0.1", xml],
      ["application/json;q=0, */*", xml],
      ["image/png", 406],
      ["image/png, text/plain;q=0.5", 406],
      ["application/xml;q=0, application/json;q=0", 406],
    ];
    for (const [accept, expected] of cases) expect(await typeFor(accept), accept).toBe(expected);
  });

  it("gives a browser tab JSON, even though its Accept ranks XML above */*; an explicit XML Accept still gets XML", async () => {
    // What Chromium sends when a tab opens a URL (Firefox and Safari differ only in q-values).
    const chromium =
      "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7";
    expect(await typeFor(chromium, { "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document" })).toBe(json);
    expect(await typeFor(chromium), "the Accept alone says it is a browser").toBe(json);
    expect(await typeFor("text/html")).toBe(json);
    expect(await typeFor("application/xml", { "Sec-Fetch-Mode": "navigate" }), "a navigation says so").toBe(json);
    expect(await typeFor("application/xml", { "Sec-Fetch-Mode": "cors" }), "fetch() from a page").toBe(xml);
    expect(await typeFor("text/html;q=0, application/xml")).toBe(xml);
    const reply = await call("GET", "/api/articles?limit=1", { headers: { Accept: chromium, "Sec-Fetch-Mode": "navigate" } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ articlesCount: expect.any(Number) });
  });

  it("says Vary: Accept, Sec-Fetch-Mode, and answers 406 in JSON with the field shape", async () => {
    const reply = await call("GET", "/api/tags", { headers: { Accept: "image/png" } });
    expect(reply.status).toBe(406);
    expect(reply.body).toEqual({ errors: { body: ["this API answers in application/json or application/xml"] } });
    expect(reply.headers.get("vary")).toMatch(/\bAccept\b.*\bSec-Fetch-Mode\b/);
    expect((await call("GET", "/api/tags")).headers.get("vary")).toMatch(/\bAccept\b.*\bSec-Fetch-Mode\b/);
  });
});
