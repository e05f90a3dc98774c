import * as articles from "../../domain/articles";
import { type ArticleSummaryView, idOf } from "../../domain/views";
import { ATOM_MEDIA_TYPE, type AtomEntry, atomXml, stableId } from "../atom/feed";
import { FeedParams } from "../query-params";
import { getArticleRoute, listArticlesRoute } from "./articles";
import { getProfileRoute } from "./profiles";
import { type MediaDocument, type OwnMedia, REST_BASE, restHref, restRoute } from "./route";
import { badTag, profileNotFound } from "./route-errors";

// Atom 1.0 feeds of the newest articles: everyone's, per tag, per author. They
// are REST resources in a media type of their own, cached like the lists they
// mirror. Entries carry the description as their summary and no content: the
// bodies are Markdown, and a Markdown renderer with a sanitizer that runs in
// workerd would more than use up the Worker's bundle budget (README, "Feeds").

const ARTICLES_FEED = "/articles.atom";
const PROFILE_FEED = "/profiles/:username/articles.atom";

const tagged = (tag: string | undefined) => (tag === undefined ? "" : ` tagged “${tag}”`);
const newestTitle = (tag?: string) => `Newest articles${tagged(tag)} on Conduit`;

/** The feed of everyone's articles, as pages link to it for discovery (`<link rel="alternate">`). */
export const newestArticlesFeed = { href: restHref(ARTICLES_FEED, {}), title: newestTitle() };

/** The URL templates of the other feeds, as pages show them. */
export const feedTemplates = {
  tag: `${restHref(ARTICLES_FEED, {})}?tag={tag}`,
  author: `${REST_BASE}${PROFILE_FEED.replace(":username", "{username}")}`,
};

/** What a feed is about: its id's name, its title and its links. */
type FeedAbout = { name: string; title: string; self: string; alternate: string };

const NOTHING_YET = new Date(0).toISOString();

/** The row id behind a view: the domain records it where each article and profile view is made. */
function rowIdOf(view: object): number {
  const id = idOf(view);
  if (id === undefined) throw new Error("a view without its row id");
  return id;
}

async function entryOf(article: ArticleSummaryView): Promise<AtomEntry> {
  return {
    id: await stableId(`article:${rowIdOf(article)}:${article.createdAt}`),
    title: article.title,
    link: restHref(getArticleRoute.path, { slug: article.slug }),
    author: { name: article.author.username, uri: restHref(getProfileRoute.path, { username: article.author.username }) },
    published: article.createdAt,
    updated: article.updatedAt,
    summary: article.description,
    categories: article.tagList,
  };
}

/** The Atom document of a feed; it last changed when its newest entry was last updated. */
async function atomDocument(newest: ArticleSummaryView[], about: FeedAbout): Promise<MediaDocument> {
  const entries = await Promise.all(newest.map(entryOf));
  // ISO 8601 in UTC with milliseconds sorts as it reads.
  const updated = entries
    .map((entry) => entry.updated)
    .sort()
    .at(-1);
  const body = atomXml({
    id: await stableId(about.name),
    title: about.title,
    updated: updated ?? NOTHING_YET,
    self: about.self,
    alternate: about.alternate,
    entries,
  });
  return { body, lastModified: updated === undefined ? null : new Date(updated) };
}

const tagQuery = (tag: string | undefined) => (tag === undefined ? "" : `?${new URLSearchParams({ tag })}`);

const EXAMPLE_TIME = "2026-05-01T09:30:00.000Z";
const ATOM: OwnMedia = { type: ATOM_MEDIA_TYPE };

/** The feed as the OpenAPI document shows it (a function: only the generator calls it). */
const atomMediaDoc = () => ({
  description: "An Atom 1.0 feed (RFC 4287)",
  example: atomXml({
    id: "urn:uuid:0b7a5c1e-2f0d-5c1a-9e3b-6d4f8a2b1c0e",
    title: newestTitle(),
    updated: EXAMPLE_TIME,
    self: restHref(ARTICLES_FEED, {}),
    alternate: restHref(listArticlesRoute.path, {}),
    entries: [
      {
        id: "urn:uuid:5d2f9a7c-8e1b-5f3a-b4c6-1a2b3c4d5e6f",
        title: "How to train your dragon",
        link: "/api/articles/how-to-train-your-dragon",
        author: { name: "jake", uri: "/api/profiles/jake" },
        published: EXAMPLE_TIME,
        updated: EXAMPLE_TIME,
        summary: "Ever wonder how?",
        categories: ["dragons", "training"],
      },
    ],
  }),
});

const aboutEntries = () =>
  `The ${articles.FEED_ENTRIES} newest articles, newest first. Each entry has a \`urn:uuid:\` id that never changes (not when the title, and with it the slug, does), the title, the author (name, and \`uri\`: the profile in this API), \`published\` and \`updated\`, the description as \`summary\`, the tags as categories, and an \`alternate\` link to the article in this API (\`application/json\`). No \`content\`: bodies are Markdown, not rendered here. Links are path-absolute: resolve them against the feed's URL. Conditional GETs: \`ETag\`/\`If-None-Match\`, and \`Last-Modified\` (the newest entry's \`updated\`)/\`If-Modified-Since\`. The same feed for every caller (a token is still checked); errors are REST errors, in XML unless the Accept header prefers JSON.`;

export const feedRoutes = [
  restRoute({
    operationId: "GetArticlesAtomFeed",
    method: "get",
    path: ARTICLES_FEED,
    tag: "Feeds",
    summary: "Atom feed of the newest articles",
    auth: "optional",
    cache: "public",
    query: FeedParams,
    success: { status: 200, media: ATOM },
    doc: OPENAPI && {
      description: `Everyone's articles, or those with \`tag\`. ${aboutEntries()}`,
      answer: "The feed",
      media: atomMediaDoc(),
      errors: [badTag],
    },
    handle: async (ctx, { query }) =>
      atomDocument(await articles.newestArticles(ctx, query), {
        name: `feed:articles${tagQuery(query.tag)}`,
        title: newestTitle(query.tag),
        self: restHref(ARTICLES_FEED, {}, query),
        alternate: restHref(listArticlesRoute.path, {}, query),
      }),
  }),
  restRoute({
    operationId: "GetProfileAtomFeed",
    method: "get",
    path: PROFILE_FEED,
    tag: "Feeds",
    summary: "Atom feed of an author's newest articles",
    auth: "optional",
    cache: "public",
    query: FeedParams,
    success: { status: 200, media: ATOM },
    doc: OPENAPI && {
      description: `One author's articles, or those of theirs with \`tag\`; an unknown username is a 404. ${aboutEntries()}`,
      answer: "The feed",
      media: atomMediaDoc(),
      errors: [profileNotFound, badTag],
    },
    handle: async (ctx, { params, query }) => {
      const { author, articles: written } = await articles.newestArticlesBy(ctx, params.username, query);
      return atomDocument(written, {
        // Named by the author's row id: the same feed across a rename.
        name: `feed:profiles/${rowIdOf(author)}/articles${tagQuery(query.tag)}`,
        title: `Articles by ${author.username}${tagged(query.tag)} on Conduit`,
        self: restHref(PROFILE_FEED, { username: author.username }, query),
        alternate: restHref(listArticlesRoute.path, {}, { author: author.username, tag: query.tag }),
      });
    },
  }),
];
