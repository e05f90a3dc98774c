import * as v from "valibot";
import { ArticleChanges, CommentId, LoginUser, NewArticle, NewComment, NewUser, UserChanges } from "../../domain/inputs";
import { IntegerParam, TextParam } from "../query-params";

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

export const CommentParams = v.object({ slug: TextParam, id: v.pipe(IntegerParam, CommentId) });
