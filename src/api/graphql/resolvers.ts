import * as v from "valibot";
import * as articles from "../../domain/articles";
import * as comments from "../../domain/comments";
import type { Context } from "../../domain/context";
import { notFound } from "../../domain/errors";
import {
  ArticleChanges,
  ArticleQuery,
  CommentId,
  CommentPageQuery,
  LoginUser,
  NewArticle,
  NewComment,
  NewUser,
  PageQuery,
  UserChanges,
} from "../../domain/inputs";
import { requireWithinLimits } from "../../domain/limits";
import * as profiles from "../../domain/profiles";
import { listTags } from "../../domain/tags";
import * as users from "../../domain/users";
import { requireViewer } from "../../domain/viewer";
import { type ArticleSummaryView, bodyOf, type ProfileView } from "../../domain/views";
import { parseInput } from "../validate";
import { articleConnection, commentConnection, type PageArgs, pageOf } from "./connection";
import type { Loaders } from "./loaders";
import type { ResponseBudget } from "./schema";

// The GraphQL adapter: each field parses its arguments with the domain's own
// schemas (src/domain/inputs.ts, through the same parseInput as REST) and
// calls one domain operation or one batched domain read. No rule lives here.
// As in REST, an operation that needs a signed-in caller refuses an anonymous
// one before it validates the input, and every mutation counts once against
// the per-client write limit (REST counts every non-GET request).

/** What one request's resolvers share: the domain context, the batching loaders, and the response size counted so far. */
export type GraphqlContext = { ctx: Context; loaders: Loaders; response: ResponseBudget };

type Resolver<Source, Args> = (source: Source, args: Args, context: GraphqlContext) => unknown;
type Input<T> = { input: T };
type Slug = { slug: string };

/**
 * An `input` argument checked by a domain schema. A rule about the whole
 * object ("needs at least one field") is reported under `input`, where
 * REST names its envelope (`user`, `article`).
 */
const inputOf = <S extends v.GenericSchema>(schema: S, input: object): v.InferOutput<S> =>
  parseInput(v.object({ input: schema }), { input: { ...input } }).input;

const CommentRef = v.object({ id: CommentId });
/** An ID arrives as a string; only digits name a comment. */
const commentIdOf = (id: string): number => parseInput(CommentRef, { id: /^\d{1,16}$/.test(id) ? Number(id) : Number.NaN }).id;

/** A mutation: counted against the client's write limit; cached reads are dropped after it. */
function mutation<Args>(run: (ctx: Context, args: Args) => Promise<unknown>): Resolver<unknown, Args> {
  return async (_source, args, { ctx, loaders }) => {
    await requireWithinLimits(ctx, [["write-client", ctx.client]]);
    try {
      return await run(ctx, args);
    } finally {
      loaders.clear();
    }
  };
}

/** The same as REST's `signedIn`: 401 before anything about the input. */
function signedIn<Args>(run: (ctx: Context, args: Args) => Promise<unknown>) {
  return (ctx: Context, args: Args) => {
    requireViewer(ctx);
    return run(ctx, args);
  };
}

const Query: Record<string, Resolver<unknown, any>> = {
  me: (_, _args: object, { ctx }) => users.currentUser(ctx),
  profile: (_, { username }: { username: string }, { ctx }) => profiles.getProfile(ctx, username),
  article: (_, { slug }: Slug, { ctx }) => articles.getArticle(ctx, slug),
  articles: async (_, args: PageArgs & { tag?: string; author?: string; favorited?: string; search?: string }, { ctx }) => {
    return articleConnection(await articles.listArticles(ctx, pageOf(ArticleQuery, args)));
  },
  feed: async (_, args: PageArgs, { ctx }) => {
    requireViewer(ctx);
    return articleConnection(await articles.feed(ctx, pageOf(PageQuery, args)));
  },
  comments: async (_, { slug, ...args }: Slug & PageArgs, { ctx }) =>
    commentConnection(await comments.listComments(ctx, slug, pageOf(CommentPageQuery, args))),
  tags: (_, _args: object, { ctx }) => listTags(ctx),
};

const Mutation: Record<string, Resolver<unknown, any>> = {
  register: mutation((ctx, { input }: Input<object>) => users.register(ctx, inputOf(NewUser, input))),
  login: mutation((ctx, { input }: Input<object>) => users.login(ctx, inputOf(LoginUser, input))),
  updateUser: mutation(signedIn((ctx, { input }: Input<object>) => users.updateUser(ctx, inputOf(UserChanges, input)))),
  createArticle: mutation(signedIn((ctx, { input }: Input<object>) => articles.createArticle(ctx, inputOf(NewArticle, input)))),
  updateArticle: mutation(
    signedIn((ctx, { input }: Input<Slug>) => {
      const { slug, ...changes } = input;
      return articles.updateArticle(ctx, slug, inputOf(ArticleChanges, changes));
    }),
  ),
  deleteArticle: mutation(
    signedIn(async (ctx, { slug }: Slug) => {
      await articles.deleteArticle(ctx, slug);
      return true;
    }),
  ),
  favoriteArticle: mutation(signedIn((ctx, { slug }: Slug) => articles.setFavorite(ctx, slug, true))),
  unfavoriteArticle: mutation(signedIn((ctx, { slug }: Slug) => articles.setFavorite(ctx, slug, false))),
  addComment: mutation(
    signedIn((ctx, { input }: Input<Slug & { body: string }>) =>
      comments.addComment(ctx, input.slug, inputOf(NewComment, { body: input.body })),
    ),
  ),
  deleteComment: mutation(
    signedIn(async (ctx, { input }: Input<Slug & { id: string }>) => {
      await comments.deleteComment(ctx, input.slug, commentIdOf(input.id));
      return true;
    }),
  ),
  followUser: mutation(signedIn((ctx, { username }: { username: string }) => profiles.setFollowing(ctx, username, true))),
  unfollowUser: mutation(signedIn((ctx, { username }: { username: string }) => profiles.setFollowing(ctx, username, false))),
};

const Article: Record<string, Resolver<ArticleSummaryView, any>> = {
  // Lists leave bodies out: those are read for the whole page at once.
  body: async (article, _args: object, { loaders }) => {
    const body = bodyOf(article) ?? (await loaders.body.load(article.slug));
    if (body === undefined) throw notFound("article");
    return body;
  },
  comments: async (article, args: PageArgs, { loaders }) =>
    commentConnection(await loaders.comments.load({ ...pageOf(CommentPageQuery, args), slug: article.slug })),
};

const Profile: Record<string, Resolver<ProfileView, any>> = {
  articles: async (profile, args: PageArgs, { loaders }) => {
    return articleConnection(await loaders.authorArticles.load({ ...pageOf(PageQuery, args), author: profile.username }));
  },
};

export const resolvers: Record<string, Record<string, Resolver<any, any>>> = { Query, Mutation, Article, Profile };
