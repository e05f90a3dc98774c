import { type GraphQLSchema, printSchema } from "graphql";

// The GraphQL schema, as SDL: the source of the executable schema (schema.ts)
// and, printed, of `schema.graphql` at the repository root and
// GET /graphql/schema.graphql. This module imports no module of ours, so
// that `npm run graphql:sdl` can load it with plain Node.

/**
 * The schema as SDL: graphql-js's printSchema, with one-line descriptions
 * written over three lines, as the project's formatter (Biome) writes them,
 * so that the committed file is left as it is by `npm run format`.
 */
export function printSdl(schema: GraphQLSchema): string {
  const printed = printSchema(schema).replace(/^( *)"""(.*)"""$/gm, (_, indent: string, text: string) =>
    [`${indent}"""`, `${indent}${text}`, `${indent}"""`].join("\n"),
  );
  return `${printed}\n`;
}

export const typeDefs = /* GraphQL */ `
"""
Conduit (RealWorld) over GraphQL: the same operations, rules and errors as the
REST API under /api.
"""
schema {
  query: Query
  mutation: Mutation
}

"An instant in UTC, as an ISO 8601 string with milliseconds: 2026-01-31T12:00:00.000Z."
scalar DateTime @specifiedBy(url: "https://www.rfc-editor.org/rfc/rfc3339")

type Query {
  "The signed-in user (UNAUTHENTICATED without a token)."
  me: User
  "A profile by username, ignoring case."
  profile(username: String!): Profile
  "An article by slug, with its body."
  article(slug: String!): Article
  """
  Articles, newest first. The filters combine; \`author\` and \`favorited\` are
  usernames, ignoring case.
  """
  articles(
    "Page size, 1 to 100."
    first: Int = 20
    "The cursor of the edge after which the page starts."
    after: String
    tag: String
    author: String
    favorited: String
  ): ArticleConnection
  "Articles by the authors the signed-in user follows, newest first."
  feed(
    "Page size, 1 to 100."
    first: Int = 20
    "The cursor of the edge after which the page starts."
    after: String
  ): ArticleConnection
  "The comments on an article, newest first."
  comments(slug: String!): [Comment!]
  "The 100 most used tags, most used first."
  tags: [String!]
}

type Mutation {
  "Creates an account; the result carries a token."
  register(input: RegisterInput!): User
  "Exchanges email and password for a token. Every attempt counts against the login rate limits."
  login(input: LoginInput!): User
  "Changes the signed-in user. A new password revokes every earlier token; the result carries a fresh one."
  updateUser(input: UpdateUserInput!): User
  createArticle(input: CreateArticleInput!): Article
  "Only the author may update an article. The slug follows the title."
  updateArticle(input: UpdateArticleInput!): Article
  "Only the author may delete an article. True once it is deleted."
  deleteArticle(slug: String!): Boolean
  favoriteArticle(slug: String!): Article
  unfavoriteArticle(slug: String!): Article
  addComment(input: AddCommentInput!): Comment
  "Only the comment's author may delete it. True once it is deleted."
  deleteComment(input: DeleteCommentInput!): Boolean
  followUser(username: String!): Profile
  unfollowUser(username: String!): Profile
}

"The signed-in user."
type User {
  email: String!
  "A JWT: send it as \`Authorization: Token <jwt>\` (or \`Bearer <jwt>\`)."
  token: String!
  username: String!
  bio: String
  image: String
}

type Profile {
  username: String!
  bio: String
  image: String
  "Whether the signed-in user follows this profile (false when signed out)."
  following: Boolean!
  "This profile's articles, newest first."
  articles(
    "Page size, 1 to 100."
    first: Int = 20
    "The cursor of the edge after which the page starts."
    after: String
  ): ArticleConnection
}

type Article {
  slug: String!
  title: String!
  description: String!
  body: String!
  tagList: [String!]!
  createdAt: DateTime!
  updatedAt: DateTime!
  "Whether the signed-in user favorited this article (false when signed out)."
  favorited: Boolean!
  favoritesCount: Int!
  author: Profile!
  "Newest first."
  comments: [Comment!]
}

type Comment {
  id: ID!
  createdAt: DateTime!
  updatedAt: DateTime!
  body: String!
  author: Profile!
}

"A page of articles (Relay cursor connection)."
type ArticleConnection {
  edges: [ArticleEdge!]!
  pageInfo: PageInfo!
  "How many articles match, on every page."
  totalCount: Int!
}

type ArticleEdge {
  "Opaque; pass it as \`after\` to get the articles that follow this one."
  cursor: String!
  node: Article!
}

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

input RegisterInput {
  username: String!
  email: String!
  password: String!
}

input LoginInput {
  email: String!
  password: String!
}

"At least one field. An empty string or null clears bio and image."
input UpdateUserInput {
  email: String
  username: String
  password: String
  bio: String
  image: String
}

input CreateArticleInput {
  title: String!
  description: String!
  body: String!
  tagList: [String!]
}

"The article to update, and at least one field to change."
input UpdateArticleInput {
  slug: String!
  title: String
  description: String
  body: String
  tagList: [String!]
}

input AddCommentInput {
  "The article's slug."
  slug: String!
  body: String!
}

input DeleteCommentInput {
  "The article's slug."
  slug: String!
  id: ID!
}
`;
