import * as v from "valibot";
import type { ArticlePageView, ArticleSummaryView, ArticleView, CommentView, ProfileView, UserView } from "../../domain/views";

// What the REST adapter answers, as valibot schemas: the OpenAPI document is
// generated from these (src/openapi/), the conformance test validates real
// responses against that document, and the type checks at the bottom make the
// domain's view types agree with them, so code and documentation cannot drift.
// Objects are strict: a field the API starts sending must be documented here.

const EXAMPLE_TIME = "2026-05-01T09:30:00.000Z";
const EXAMPLE_AUTHOR = { username: "jake", bio: "I work at statefarm", image: null, following: false };

const Timestamp = v.pipe(v.string(), v.isoTimestamp(), v.metadata({ examples: [EXAMPLE_TIME] }));
const OptionalText = v.nullable(v.string());

export const ProfileFields = v.strictObject({
  username: v.string(),
  bio: v.pipe(OptionalText, v.description("null when unset")),
  image: v.pipe(OptionalText, v.description("an http(s) URL, or null when unset")),
  following: v.pipe(v.boolean(), v.description("whether the caller follows this user; false for anonymous callers")),
});
export const Profile = v.pipe(ProfileFields, v.metadata({ examples: [EXAMPLE_AUTHOR] }));

export const UserFields = v.strictObject({
  email: v.string(),
  token: v.pipe(v.string(), v.description("a JWT to send as `Authorization: Token <jwt>`")),
  username: v.string(),
  bio: v.pipe(OptionalText, v.description("null when unset")),
  image: v.pipe(OptionalText, v.description("an http(s) URL, or null when unset")),
});
export const User = v.pipe(
  UserFields,
  v.metadata({
    examples: [
      {
        email: "jake@jake.jake",
        token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
        username: "jake",
        bio: "I work at statefarm",
        image: null,
      },
    ],
  }),
);

const summaryFields = {
  slug: v.string(),
  title: v.string(),
  description: v.string(),
  tagList: v.array(v.string()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  favorited: v.pipe(v.boolean(), v.description("whether the caller favorited it; false for anonymous callers")),
  favoritesCount: v.pipe(v.number(), v.integer(), v.minValue(0)),
  author: Profile,
};
const EXAMPLE_ARTICLE = {
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

/** An article in a list: everything but the body; a search result also has its snippet. */
export const ArticleSummary = v.pipe(
  v.strictObject({
    ...summaryFields,
    snippet: v.optional(
      v.pipe(
        v.string(),
        v.description(
          "Only on search results (`search=`): a short passage around the matches, HTML-escaped, each match wrapped in `<mark>…</mark>`",
        ),
        v.metadata({ examples: ["How to train your <mark>dragon</mark>"] }),
      ),
    ),
  }),
  v.metadata({ examples: [EXAMPLE_ARTICLE] }),
);

// The body goes after the description, as the API writes it.
const { slug, title, description, ...afterDescription } = summaryFields;
export const ArticleFields = v.strictObject({ slug, title, description, body: v.string(), ...afterDescription });
export const Article = v.pipe(ArticleFields, v.metadata({ examples: [{ ...EXAMPLE_ARTICLE, body: "It takes a Jacobian" }] }));

export const CommentFields = v.strictObject({
  id: v.pipe(v.number(), v.integer(), v.minValue(1)),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  body: v.string(),
  author: Profile,
});
export const Comment = v.pipe(
  CommentFields,
  v.metadata({
    examples: [{ id: 1, createdAt: EXAMPLE_TIME, updatedAt: EXAMPLE_TIME, body: "It takes a Jacobian", author: EXAMPLE_AUTHOR }],
  }),
);

/** Every REST error: field names (or `body`) mapped to messages. */
export const ErrorBody = v.pipe(
  v.strictObject({ errors: v.record(v.string(), v.array(v.string())) }),
  v.metadata({ examples: [{ errors: { username: ["has already been taken"] } }] }),
);

// The envelopes.
export const UserResponse = v.strictObject({ user: User });
export const ProfileResponse = v.strictObject({ profile: Profile });
export const ArticleResponse = v.strictObject({ article: Article });
export const ArticlesResponse = v.strictObject({
  articles: v.array(ArticleSummary),
  articlesCount: v.pipe(v.number(), v.integer(), v.minValue(0), v.description("all matches, not only this page")),
});
export const CommentResponse = v.strictObject({ comment: Comment });
export const CommentsResponse = v.strictObject({ comments: v.array(Comment) });
export const TagsResponse = v.strictObject({
  tags: v.pipe(
    v.array(v.string()),
    v.description("the most used tags, most used first"),
    v.metadata({ examples: [["dragons"]] }),
  ),
});

/** `GET /api`: where everything is (src/api/rest/index.ts builds it from the route declarations). */
export const ApiIndexResponse = v.strictObject({
  index: v.strictObject({
    name: v.string(),
    description: v.string(),
    version: v.string(),
    links: v.pipe(
      v.record(v.string(), v.string()),
      v.description("paths on this Worker: the docs, the OpenAPI document, the other API styles, the health check"),
    ),
    routes: v.array(
      v.strictObject({
        method: v.picklist(["GET", "POST", "PUT", "DELETE"]),
        path: v.pipe(v.string(), v.description("an OpenAPI path template, `{name}` for a parameter")),
        summary: v.string(),
        auth: v.pipe(v.picklist(["none", "optional", "required"]), v.description("whether a token is needed")),
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
