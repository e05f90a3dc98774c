import { Hono } from "hono";
import * as articles from "../../domain/articles";
import * as comments from "../../domain/comments";
import * as profiles from "../../domain/profiles";
import { listTags } from "../../domain/tags";
import * as users from "../../domain/users";
import { signedIn } from "../../http/auth";
import { isJsonMediaType, readJsonBody, readTextBody } from "../../http/body";
import { publicCache } from "../../http/cache";
import type { AppEnv } from "../../http/context";
import { HttpError } from "../../http/problem";
import { parseInput } from "../validate";
import { fromXml } from "../xml/codec";
import {
  ArticleListParams,
  CommentParams,
  FeedParams,
  LoginBody,
  NewArticleBody,
  NewCommentBody,
  RegisterBody,
  UpdateArticleBody,
  UpdateUserBody,
} from "./schemas";

// The RealWorld REST contract: each handler parses, calls one domain
// operation and wraps the result in the contract's envelope. No rules here.

export const rest = new Hono<AppEnv>();

const XML_BODY = /^(?:application|text)\/xml\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

// A body in JSON or in XML (src/api/xml/codec.ts): either way it becomes the
// same object and is validated by the same schema.
async function body<S extends Parameters<typeof parseInput>[0]>(request: Request, schema: S) {
  const contentType = request.headers.get("content-type")?.trim() ?? "";
  if (XML_BODY.test(contentType)) return parseInput(schema, fromXml(await readTextBody(request)));
  if (!isJsonMediaType(contentType)) throw new HttpError(415, "request body must be application/json or application/xml");
  return parseInput(schema, await readJsonBody(request));
}

rest.post("/users/login", async (c) => {
  const input = await body(c.req.raw, LoginBody);
  return c.json({ user: await users.login(c.var.ctx, input.user) });
});

rest.post("/users", async (c) => {
  const input = await body(c.req.raw, RegisterBody);
  return c.json({ user: await users.register(c.var.ctx, input.user) }, 201);
});

rest.get("/user", async (c) => c.json({ user: await users.currentUser(c.var.ctx) }));

rest.put("/user", signedIn, async (c) => {
  const input = await body(c.req.raw, UpdateUserBody);
  return c.json({ user: await users.updateUser(c.var.ctx, input.user) });
});

const cached = publicCache();
const cachedComments = publicCache((c) => c.req.param("slug") ?? "");

// Not in the RealWorld contract: revokes every token of the account.
rest.post("/user/logout", signedIn, async (c) => {
  await users.logOutEverywhere(c.var.ctx);
  return c.body(null, 204);
});

rest.get("/profiles/:username", cached, async (c) =>
  c.json({ profile: await profiles.getProfile(c.var.ctx, c.req.param("username")) }),
);

rest.post("/profiles/:username/follow", signedIn, async (c) =>
  c.json({ profile: await profiles.setFollowing(c.var.ctx, c.req.param("username"), true) }),
);

rest.delete("/profiles/:username/follow", signedIn, async (c) =>
  c.json({ profile: await profiles.setFollowing(c.var.ctx, c.req.param("username"), false) }),
);

rest.get("/articles", cached, async (c) => {
  const query = parseInput(ArticleListParams, c.req.query());
  return c.json(await articles.listArticles(c.var.ctx, query));
});

rest.get("/articles/feed", signedIn, async (c) => {
  const query = parseInput(FeedParams, c.req.query());
  return c.json(await articles.feed(c.var.ctx, query));
});

rest.get("/articles/:slug", cached, async (c) => c.json({ article: await articles.getArticle(c.var.ctx, c.req.param("slug")) }));

rest.post("/articles", signedIn, async (c) => {
  const input = await body(c.req.raw, NewArticleBody);
  return c.json({ article: await articles.createArticle(c.var.ctx, input.article) }, 201);
});

rest.put("/articles/:slug", signedIn, async (c) => {
  const input = await body(c.req.raw, UpdateArticleBody);
  return c.json({ article: await articles.updateArticle(c.var.ctx, c.req.param("slug"), input.article) });
});

rest.delete("/articles/:slug", signedIn, async (c) => {
  await articles.deleteArticle(c.var.ctx, c.req.param("slug"));
  return c.body(null, 204);
});

rest.post("/articles/:slug/favorite", signedIn, async (c) =>
  c.json({ article: await articles.setFavorite(c.var.ctx, c.req.param("slug"), true) }),
);

rest.delete("/articles/:slug/favorite", signedIn, async (c) =>
  c.json({ article: await articles.setFavorite(c.var.ctx, c.req.param("slug"), false) }),
);

rest.get("/articles/:slug/comments", cachedComments, async (c) =>
  c.json({ comments: await comments.listComments(c.var.ctx, c.req.param("slug")) }),
);

rest.post("/articles/:slug/comments", signedIn, async (c) => {
  const input = await body(c.req.raw, NewCommentBody);
  return c.json({ comment: await comments.addComment(c.var.ctx, c.req.param("slug"), input.comment) });
});

rest.delete("/articles/:slug/comments/:id", signedIn, async (c) => {
  const params = parseInput(CommentParams, c.req.param());
  await comments.deleteComment(c.var.ctx, params.slug, params.id);
  return c.body(null, 204);
});

rest.get("/tags", cached, async (c) => c.json({ tags: await listTags(c.var.ctx) }));
