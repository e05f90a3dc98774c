import * as v from "valibot";
import type { ArticlePageView, ArticleSummaryView, ArticleView, CommentView, ProfileView, UserView } from "../../domain/views";

// What the REST adapter answers, as valibot schemas: the OpenAPI document is
// generated from these (src/openapi/), the conformance test validates real
// responses against that document, and the type checks at the bottom make the
// domain's view types agree with them, so code and documentation cannot drift.
// Objects are strict: a field the API starts sending must be documented here.
//
// What only the document says of them, the notes on fields and the examples,
// is one object written `OPENAPI && {...}` (src/build.d.ts): the Worker, which
// never reads it, is bundled without it; `noted` and `exemplified` attach it
// where the document is generated.

const EXAMPLE_TIME = "2026-05-01T09:30:00.000Z";
const EXAMPLE_AUTHOR = { username: "jake", bio: "I work at statefarm", image: null, following: false };
const EXAMPLE_SUMMARY = {
  slug: "how-to-train-your-dragon",
  title: "How to train your dragon",
  description: "Ever wonder how?",
  tagList: ["dragons", "training"],
  createdAt: EXAMPLE_TIME,
  updatedAt: EXAMPLE_TIME,
  favorited: false,
  favoritesCount: 0,
  author: EXAMPLE_AUTHOR,
};

const DOCUMENT = OPENAPI && {
  notes: {
    bio: "null when unset",
    image: "an http(s) URL, or null when unset",
    following: "whether the caller follows this user; false for anonymous callers",
    token: "a JWT to send as `Authorization: Token <jwt>`",
    favorited: "whether the caller favorited it; false for anonymous callers",
    snippet:
      "Only on search results (`search=`): a short passage around the matches, HTML-escaped, each match wrapped in `<mark>…</mark>`",
    articlesCount: "all matches, not only this page",
    tags: "the most used tags, most used first",
    links: "paths on this Worker: the docs, the OpenAPI document, the other API styles, the health check",
    path: "an OpenAPI path template, `{name}` for a parameter",
    auth: "whether a token is needed",
  },
  examples: {
    timestamp: EXAMPLE_TIME,
    snippet: "How to train your <mark>dragon</mark>",
    profile: EXAMPLE_AUTHOR,
    user: {
      email: "jake@jake.jake",
      token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
      username: "jake",
      bio: "I work at statefarm",
      image: null,
    },
    summary: EXAMPLE_SUMMARY,
    article: { ...EXAMPLE_SUMMARY, body: "It takes a Jacobian" },
    comment: { id: 1, createdAt: EXAMPLE_TIME, updatedAt: EXAMPLE_TIME, body: "It takes a Jacobian", author: EXAMPLE_AUTHOR },
    error: { errors: { username: ["has already been taken"] } },
    tags: ["dragons"],
  },
};
type Document = Exclude<typeof DOCUMENT, false>;

/** `schema` with the document's note on `field`. */
const noted = <S extends v.GenericSchema>(field: keyof Document["notes"], schema: S) =>
  DOCUMENT ? v.pipe(schema, v.description(DOCUMENT.notes[field])) : schema;

/** `schema` with the document's example `name`. */
const exemplified = <S extends v.GenericSchema>(name: keyof Document["examples"], schema: S) =>
  DOCUMENT ? v.pipe(schema, v.metadata({ examples: [DOCUMENT.examples[name]] })) : schema;

const Timestamp = exemplified("timestamp", v.pipe(v.string(), v.isoTimestamp()));
const OptionalText = v.nullable(v.string());

export const ProfileFields = v.strictObject({
  username: v.string(),
  bio: noted("bio", OptionalText),
  image: noted("image", OptionalText),
  following: noted("following", v.boolean()),
});
export const Profile = exemplified("profile", ProfileFields);

export const UserFields = v.strictObject({
  email: v.string(),
  token: noted("token", v.string()),
  username: v.string(),
  bio: noted("bio", OptionalText),
  image: noted("image", OptionalText),
});
export const User = exemplified("user", UserFields);

const summaryFields = {
  slug: v.string(),
  title: v.string(),
  description: v.string(),
  tagList: v.array(v.string()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  favorited: noted("favorited", v.boolean()),
  favoritesCount: v.pipe(v.number(), v.integer(), v.minValue(0)),
  author: Profile,
};

/** An article in a list: everything but the body; a search result also has its snippet. */
export const ArticleSummary = exemplified(
  "summary",
  v.strictObject({ ...summaryFields, snippet: v.optional(noted("snippet", exemplified("snippet", v.string()))) }),
);

// The body goes after the description, as the API writes it.
const { slug, title, description, ...afterDescription } = summaryFields;
export const ArticleFields = v.strictObject({ slug, title, description, body: v.string(), ...afterDescription });
export const Article = exemplified("article", ArticleFields);

export const CommentFields = v.strictObject({
  id: v.pipe(v.number(), v.integer(), v.minValue(1)),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  body: v.string(),
  author: Profile,
});
export const Comment = exemplified("comment", CommentFields);

/** Every REST error: field names (or `body`) mapped to messages. */
export const ErrorBody = exemplified("error", v.strictObject({ errors: v.record(v.string(), v.array(v.string())) }));

// The envelopes.
export const UserResponse = v.strictObject({ user: User });
export const ProfileResponse = v.strictObject({ profile: Profile });
export const ArticleResponse = v.strictObject({ article: Article });
export const ArticlesResponse = v.strictObject({
  articles: v.array(ArticleSummary),
  articlesCount: noted("articlesCount", v.pipe(v.number(), v.integer(), v.minValue(0))),
});
export const CommentResponse = v.strictObject({ comment: Comment });
export const CommentsResponse = v.strictObject({ comments: v.array(Comment) });
export const TagsResponse = v.strictObject({
  tags: noted("tags", exemplified("tags", v.array(v.string()))),
});

/** `GET /api`: where everything is (src/api/rest/index.ts builds it from the route declarations). */
export const ApiIndexResponse = v.strictObject({
  index: v.strictObject({
    name: v.string(),
    description: v.string(),
    version: v.string(),
    links: noted("links", v.record(v.string(), v.string())),
    routes: v.array(
      v.strictObject({
        method: v.picklist(["GET", "POST", "PUT", "DELETE"]),
        path: noted("path", v.string()),
        summary: v.string(),
        auth: noted("auth", v.picklist(["none", "optional", "required"])),
      }),
    ),
  }),
});

// The domain's view types and these schemas must describe the same objects:
// the type below fails to compile if any pair differs in either direction.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Agree<T extends true> = T;
export type ViewsAgreeWithResponses = [
  Agree<Same<UserView, v.InferOutput<typeof User>>>,
  Agree<Same<ProfileView, v.InferOutput<typeof Profile>>>,
  Agree<Same<CommentView, v.InferOutput<typeof Comment>>>,
  Agree<Same<ArticleSummaryView, v.InferOutput<typeof ArticleSummary>>>,
  Agree<Same<ArticleView, v.InferOutput<typeof Article>>>,
  Agree<Same<ArticlePageView, v.InferOutput<typeof ArticlesResponse>>>,
];
