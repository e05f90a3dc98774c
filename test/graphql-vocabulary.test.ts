import { type GraphQLInputObjectType, type GraphQLObjectType, isInputObjectType, isObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { executableSchema } from "../src/api/graphql/schema";
import { ArticleFields, CommentFields, ProfileFields, UserFields } from "../src/api/rest/responses";
import { ArticleChangeFields, LoginUser, NewArticle, NewComment, NewUser, UserChangeFields } from "../src/domain/inputs";

// The GraphQL SDL is written by hand (src/api/graphql/sdl.ts); these tests make
// a field added to a view or an input fail until GraphQL has it too. The REST
// field definitions are the views (their types are checked against the
// domain's view types where they are declared).

const schema = executableSchema();

function objectType(name: string): GraphQLObjectType {
  const type = schema.getType(name);
  if (!isObjectType(type)) throw new Error(`${name} is not an object type`);
  return type;
}

function inputType(name: string): GraphQLInputObjectType {
  const type = schema.getType(name);
  if (!isInputObjectType(type)) throw new Error(`${name} is not an input type`);
  return type;
}

const fieldsOf = (type: GraphQLObjectType | GraphQLInputObjectType) => Object.keys(type.getFields()).sort();
const keys = (entries: object, ...extra: string[]) => [...Object.keys(entries), ...extra].sort();

describe("the GraphQL types cover the domain's views", () => {
  it.each([
    // GraphQL adds what it resolves beside a view: an article's comments, a profile's articles.
    ["Article", keys(ArticleFields.entries, "comments")],
    ["Comment", keys(CommentFields.entries)],
    ["Profile", keys(ProfileFields.entries, "articles")],
    ["User", keys(UserFields.entries)],
  ])("%s has exactly the view's fields", (name, fields) => {
    expect(fieldsOf(objectType(name))).toEqual(fields);
  });
});

describe("the GraphQL inputs cover the domain's inputs", () => {
  it.each([
    ["RegisterInput", keys(NewUser.entries)],
    ["LoginInput", keys(LoginUser.entries)],
    ["UpdateUserInput", keys(UserChangeFields.entries)],
    ["CreateArticleInput", keys(NewArticle.entries)],
    // The article to change or comment on is named by its slug.
    ["UpdateArticleInput", keys(ArticleChangeFields.entries, "slug")],
    ["AddCommentInput", keys(NewComment.entries, "slug")],
  ])("%s has exactly the input's fields", (name, fields) => {
    expect(fieldsOf(inputType(name))).toEqual(fields);
  });
});
