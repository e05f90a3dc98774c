import * as v from "valibot";
import {
  ArticleChanges,
  ArticleQuery,
  CommentId,
  LoginUser,
  NewArticle,
  NewComment,
  NewUser,
  PageQuery,
  UserChanges,
} from "../../domain/inputs";

// The REST representation of the domain inputs: JSON envelopes around the
// domain's own schemas, and query strings turned into numbers before the
// domain's range rules apply.

const envelope = <K extends string, S extends v.GenericSchema>(key: K, schema: S) =>
  v.object({ [key]: schema } as { [P in K]: S }, "must be a JSON object");

export const LoginBody = envelope("user", LoginUser);
export const RegisterBody = envelope("user", NewUser);
export const UpdateUserBody = envelope("user", UserChanges);
export const NewArticleBody = envelope("article", NewArticle);
export const UpdateArticleBody = envelope("article", ArticleChanges);
export const NewCommentBody = envelope("comment", NewComment);

const IntegerParam = v.pipe(
  v.string(),
  v.regex(/^[+-]?\d{1,16}$/, "must be an integer"),
  v.transform((text) => Number(text)),
);

const TextParam = v.string();

export const ArticleListParams = v.pipe(
  v.object({
    limit: v.optional(IntegerParam),
    offset: v.optional(IntegerParam),
    tag: v.optional(TextParam),
    author: v.optional(TextParam),
    favorited: v.optional(TextParam),
  }),
  ArticleQuery,
);

export const FeedParams = v.pipe(v.object({ limit: v.optional(IntegerParam), offset: v.optional(IntegerParam) }), PageQuery);

export const CommentParams = v.object({ slug: v.string(), id: v.pipe(IntegerParam, CommentId) });
