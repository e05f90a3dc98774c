import * as articles from "../../domain/articles";
import * as responses from "./responses";
import { restRoute } from "./route";
import { articleNotFound } from "./route-errors";

export const favoriteRoutes = [
  restRoute({
    operationId: "CreateArticleFavorite",
    method: "post",
    path: "/articles/:slug/favorite",
    tag: "Favorites",
    summary: "Favorite an article",
    auth: "required",
    success: { status: 200, schema: responses.ArticleResponse },
    doc: OPENAPI && {
      description: "Idempotent; `favoritesCount` stays exact under concurrent favorites.",
      answer: "The article",
      errors: [articleNotFound],
    },
    handle: async (ctx, { params }) => ({ article: await articles.setFavorite(ctx, params.slug, true) }),
  }),
  restRoute({
    operationId: "DeleteArticleFavorite",
    method: "delete",
    path: "/articles/:slug/favorite",
    tag: "Favorites",
    summary: "Unfavorite an article",
    auth: "required",
    success: { status: 200, schema: responses.ArticleResponse },
    doc: OPENAPI && { description: "Idempotent.", answer: "The article", errors: [articleNotFound] },
    handle: async (ctx, { params }) => ({ article: await articles.setFavorite(ctx, params.slug, false) }),
  }),
];
