// A typed client of the API as a frontend developer writes one against types
// that openapi-typescript generates from public/openapi.json
// (test/node/typed-client.test.ts writes them to ./conduit-api.d.ts and
// compiles this file; a line marked @ts-expect-error must fail to compile).
import type { components, paths } from "./conduit-api";

type JsonBody<Path extends keyof paths, Method extends "post" | "put"> =
  NonNullable<paths[Path][Method]> extends { requestBody?: { content: { "application/json": infer Body } } } ? Body : never;
type Query<Path extends keyof paths> =
  NonNullable<paths[Path]["get"]> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

// Optional fields can be left out of a request.
export const createWithoutTags: JsonBody<"/api/articles", "post"> = {
  article: { title: "How to train your dragon", description: "Ever wonder how?", body: "You have to believe" },
};
export const createWithTags: JsonBody<"/api/articles", "post"> = {
  article: { title: "t", description: "d", body: "b", tagList: ["dragons"] },
};
export const changeBodyOnly: JsonBody<"/api/articles/{slug}", "put"> = { article: { body: "only the body" } };
export const changeBioOnly: JsonBody<"/api/user", "put"> = { user: { bio: "I work at statefarm" } };
export const register: JsonBody<"/api/users", "post"> = {
  user: { username: "jake", email: "jake@jake.jake", password: "jakejake" },
};
export const comment: JsonBody<"/api/articles/{slug}/comments", "post"> = { comment: { body: "Thank you so much!" } };

// Required ones cannot.
export const createWithoutTitle: JsonBody<"/api/articles", "post"> = {
  // @ts-expect-error title is required
  article: { description: "d", body: "b" },
};
export const registerWithoutPassword: JsonBody<"/api/users", "post"> = {
  // @ts-expect-error password is required
  user: { username: "jake", email: "jake@jake.jake" },
};

// Query parameters are optional; numbers are numbers.
export const allArticles: Query<"/api/articles"> = {};
export const aPage: Query<"/api/articles"> = { tag: "dragons", limit: 10, offset: 20 };
export const feedPage: Query<"/api/articles/feed"> = {};

// Answers: fields the server always sends are present, nullable ones say so.
type Article = components["schemas"]["Article"];
type Profile = components["schemas"]["Profile"];
export const tagsOf = (article: Article): string[] => article.tagList;
export const countOf = (article: Article): number => article.favoritesCount;
export const authorOf = (article: Article): Profile => article.author;
export const bioOf = (profile: Profile): string | null => profile.bio;
// @ts-expect-error bio may be null
export const bioText = (profile: Profile): string => profile.bio;
