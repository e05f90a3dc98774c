import type * as v from "valibot";
import { NewArticle, NewComment, NewUser, UserChangeFields } from "../../domain/inputs";
import { ArticleFields, CommentFields, ProfileFields } from "../rest/responses";

// The resource types of JSON:API, derived from the REST field definitions
// (src/api/rest/responses.ts) and the domain's inputs: a type's attributes are
// its REST fields, in their order, but for those JSON:API carries elsewhere
// (the id, the relationships, the viewer's flags in meta), and the attributes
// a client may send are the fields of the domain's input. A field added to a
// REST view is thereby an attribute here, selectable with `fields[...]` and
// documented (src/openapi/jsonapi.ts); one added to an input can be sent.

type ResourceDefinition<Fields extends v.ObjectEntries> = {
  /** The REST object these resources show. */
  fields: Fields;
  /** Its fields that are not attributes here. */
  elsewhere: readonly (keyof Fields)[];
  /** The relationships, in order. */
  relationships: readonly string[];
};

const define = <Fields extends v.ObjectEntries>(definition: ResourceDefinition<Fields>) => {
  const attributes = Object.keys(definition.fields).filter((name) => !definition.elsewhere.includes(name));
  return { schemas: definition.fields, attributes, relationships: definition.relationships };
};

/** Every resource type: its attributes (with their REST schemas) and relationships (its "fields"). */
export const TYPES = {
  articles: define({
    fields: ArticleFields.entries,
    elsewhere: ["tagList", "favorited", "author"],
    relationships: ["author", "tags", "comments"],
  }),
  users: define({ fields: ProfileFields.entries, elsewhere: ["following"], relationships: ["articles"] }),
  comments: define({ fields: CommentFields.entries, elsewhere: ["id", "author"], relationships: ["author", "article"] }),
  tags: define({ fields: {}, elsewhere: [], relationships: [] }),
};

export type ResourceType = keyof typeof TYPES;

export const RESOURCE_TYPES = Object.keys(TYPES).filter((name): name is ResourceType => Object.hasOwn(TYPES, name));

/** The resource type named, if it is one (never a name of Object.prototype). */
export const resourceTypeOf = (name: string): ResourceType | undefined => RESOURCE_TYPES.find((type) => type === name);

/** A view's attributes, as far as it has them (a listed article has no body). */
export function attributesOf(type: ResourceType, view: object): Record<string, unknown> {
  return Object.fromEntries(
    TYPES[type].attributes.filter((name) => Object.hasOwn(view, name)).map((name) => [name, Reflect.get(view, name)]),
  );
}

// The attributes a client sends: the domain input's fields (an article's
// `tagList` is its `tags` relationship, a comment's article its `article`).
export const ARTICLE_INPUT = Object.keys(NewArticle.entries).filter((name) => name !== "tagList");
export const NEW_USER_INPUT = Object.keys(NewUser.entries);
export const USER_CHANGE_INPUT = Object.keys(UserChangeFields.entries);
export const COMMENT_INPUT = Object.keys(NewComment.entries);
