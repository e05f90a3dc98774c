import * as v from "valibot";
import { searchTerms } from "./search";
import { usernameProblem } from "./username";
import { BIDI_CONTROL } from "./username-repertoire";

// The input rules of the domain, once. Every adapter validates with these (the
// REST adapter wraps them in its envelopes), so a limit changed here changes
// for every API style. Messages are written to be shown next to the field name.

// Type messages for schemas declared without one (nested objects, envelopes).
v.setSpecificMessage(v.object, "must be an object");
v.setSpecificMessage(v.array, "must be an array");

// Text that would be mangled on the way to storage (an unpaired UTF-16
// surrogate becomes U+FFFD) or that no field has a use for (NUL) is refused
// rather than stored altered.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what this refuses.
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/u;
const storable = v.check((value: string) => !UNSTORABLE.test(value), "must not contain NUL or unpaired surrogate characters");
const text = v.pipe(v.string("must be a string"), storable);
const trimmed = v.pipe(text, v.trim());
// Titles and tags (and usernames) are shown on one line, inside other text:
// no control characters, and no bidi controls (U+202A–U+202E, U+2066–U+2069,
// the marks), which could reorder what follows them. Bodies, descriptions and
// bios keep both: right-to-left prose needs them.
const singleLine = v.regex(/^[^\p{Cc}]*$/u, "can't contain control characters");
const noBidiControls = (what: string) =>
  v.check((value: string) => !BIDI_CONTROL.test(value), `can't contain ${what}bidirectional control characters`);

// Profile fields a settings form clears by sending "" (or null): stored as null.
const blankToNull = v.pipe(
  v.nullable(v.pipe(v.string("must be a string or null"), storable)),
  v.transform((value) => (value === null || value.trim() === "" ? null : value.trim())),
);

export const LIMITS = {
  username: 40,
  email: 254,
  passwordMin: 8,
  passwordMax: 256,
  bio: 2_000,
  image: 2_048,
  title: 200,
  description: 1_000,
  articleBody: 100_000,
  tag: 40,
  tags: 20,
  commentBody: 10_000,
  pageLimit: 100,
  pageOffset: 1_000_000,
  filter: 200,
  /** Words and phrases in one search (src/domain/search.ts): each costs a pass over its matches. */
  searchTerms: 16,
} as const;

/** Stored NFKC-normalised; the rest of the policy is in ./username.ts. */
export const Username = v.pipe(
  trimmed,
  v.transform((username) => username.normalize("NFKC")),
  v.minLength(1, "can't be blank"),
  v.maxLength(LIMITS.username, `is too long (maximum is ${LIMITS.username} characters)`),
  v.rawCheck(({ dataset, addIssue }) => {
    const problem = dataset.typed && dataset.value ? usernameProblem(dataset.value) : null;
    if (problem) addIssue({ message: problem });
  }),
);

export const Email = v.pipe(
  trimmed,
  v.minLength(1, "can't be blank"),
  v.maxLength(LIMITS.email, `is too long (maximum is ${LIMITS.email} characters)`),
  v.email("is invalid"),
);

/** A new password; the rules that need more than the password are in ./users.ts. */
export const Password = v.pipe(
  text,
  v.check((password) => password.trim() !== "", "can't be blank"),
  v.minLength(LIMITS.passwordMin, `is too short (minimum is ${LIMITS.passwordMin} characters)`),
  v.maxLength(LIMITS.passwordMax, `is too long (maximum is ${LIMITS.passwordMax} characters)`),
);

const Bio = v.pipe(
  blankToNull,
  v.nullable(v.pipe(v.string(), v.maxLength(LIMITS.bio, `is too long (maximum is ${LIMITS.bio} characters)`))),
);
const Image = v.pipe(
  blankToNull,
  v.nullable(
    v.pipe(
      v.string(),
      v.maxLength(LIMITS.image, `is too long (maximum is ${LIMITS.image} characters)`),
      v.url("must be a URL"),
      v.regex(/^https?:\/\//i, "must be an http(s) URL"),
    ),
  ),
);

export const NewUser = v.object({ username: Username, email: Email, password: Password });
/** A password to check, not to set: any the account may have. */
const GivenPassword = v.pipe(text, v.minLength(1, "can't be blank"), v.maxLength(LIMITS.passwordMax, "is too long"));
export const LoginUser = v.object({
  email: v.pipe(trimmed, v.minLength(1, "can't be blank"), v.maxLength(LIMITS.email, "is too long")),
  password: GivenPassword,
});
/** A change must change something: at least one of its optional fields given. */
const someField = (changes: object) => Object.values(changes).some((value) => value !== undefined);
const AT_LEAST_ONE = "needs at least one field";

/** The fields of a user change, each optional; UserChanges wants at least one. */
export const UserChangeFields = v.object({
  username: v.optional(Username),
  email: v.optional(Email),
  password: v.optional(Password),
  bio: v.optional(Bio),
  image: v.optional(Image),
  /** Not in the RealWorld contract: when given, it must be the account's password. */
  currentPassword: v.optional(GivenPassword),
});
export const UserChanges = v.pipe(
  UserChangeFields,
  v.check(({ currentPassword, ...changes }) => someField(changes), AT_LEAST_ONE),
);

const Title = v.pipe(
  trimmed,
  singleLine,
  noBidiControls(""),
  v.minLength(1, "can't be blank"),
  v.maxLength(LIMITS.title, `is too long (maximum is ${LIMITS.title} characters)`),
);
const Description = v.pipe(
  trimmed,
  v.minLength(1, "can't be blank"),
  v.maxLength(LIMITS.description, `is too long (maximum is ${LIMITS.description} characters)`),
);
const ArticleBody = v.pipe(
  text,
  // minLength says in the OpenAPI document what the check below implies.
  v.minLength(1, "can't be blank"),
  v.check((body) => body.trim().length > 0, "can't be blank"),
  v.maxLength(LIMITS.articleBody, `is too long (maximum is ${LIMITS.articleBody} characters)`),
);
const TagList = v.pipe(
  v.array(
    v.pipe(
      trimmed,
      v.regex(/^[^\p{Cc}]*$/u, "can't contain tags with control characters"),
      noBidiControls("tags with "),
      v.minLength(1, "can't contain blank tags"),
      v.maxLength(LIMITS.tag, `can't contain tags longer than ${LIMITS.tag} characters`),
    ),
    "must be an array of strings",
  ),
  v.transform((tags) => [...new Set(tags)]),
  v.maxLength(LIMITS.tags, `can't have more than ${LIMITS.tags} tags`),
);

export const NewArticle = v.object({
  title: Title,
  description: Description,
  body: ArticleBody,
  tagList: v.optional(TagList, []),
});
/** The fields of an article change, each optional; ArticleChanges wants at least one. */
export const ArticleChangeFields = v.object({
  title: v.optional(Title),
  description: v.optional(Description),
  body: v.optional(ArticleBody),
  tagList: v.optional(TagList),
});
export const ArticleChanges = v.pipe(
  ArticleChangeFields,
  v.check((changes) => someField(changes), AT_LEAST_ONE),
);

export const NewComment = v.object({
  body: v.pipe(
    text,
    v.minLength(1, "can't be blank"),
    v.check((body) => body.trim().length > 0, "can't be blank"),
    v.maxLength(LIMITS.commentBody, `is too long (maximum is ${LIMITS.commentBody} characters)`),
  ),
});

const filterText = v.pipe(text, v.maxLength(LIMITS.filter, "is too long"));
/** A cursor (src/domain/cursor.ts) as it travels: its integrity is checked where it is read. */
const Cursor = v.pipe(
  v.string("is not a valid cursor"),
  v.regex(/^c1\.[A-Za-z0-9_-]{1,120}\.[A-Za-z0-9_-]{16}$/, "is not a valid cursor"),
);

const pageFields = (defaultLimit: number) => ({
  limit: v.optional(
    v.pipe(
      v.number("must be an integer"),
      v.integer("must be an integer"),
      v.minValue(1, "must be at least 1"),
      v.maxValue(LIMITS.pageLimit, `must be at most ${LIMITS.pageLimit}`),
    ),
    defaultLimit,
  ),
  offset: v.optional(
    v.pipe(
      v.number("must be an integer"),
      v.integer("must be an integer"),
      v.minValue(0, "must be at least 0"),
      v.maxValue(LIMITS.pageOffset, `must be at most ${LIMITS.pageOffset}`),
    ),
    0,
  ),
  /** The page after this cursor's item, or (`before`) the page before it. */
  after: v.optional(Cursor),
  before: v.optional(Cursor),
});

/** A page of articles. (Whether it starts at an offset or at one cursor is checked where it is read.) */
export const PageQuery = v.object(pageFields(20));

/** A page of an article's comments: newest first, at most a hundred (the default too). */
export const CommentPageQuery = v.object(pageFields(LIMITS.pageLimit));

/** A full-text search (src/domain/search.ts); blank (empty or only whitespace) is no search. */
const SearchText = v.pipe(
  filterText,
  v.trim(),
  v.check(
    (query) => searchTerms(query).length <= LIMITS.searchTerms,
    `can't have more than ${LIMITS.searchTerms} words or phrases`,
  ),
);
export const ArticleQuery = v.object({
  ...PageQuery.entries,
  tag: v.optional(filterText),
  author: v.optional(filterText),
  favorited: v.optional(filterText),
  search: v.optional(SearchText),
  slug: v.optional(filterText),
});

export const CommentId = v.pipe(
  v.number("must be a positive integer"),
  v.integer("must be a positive integer"),
  v.minValue(1, "must be a positive integer"),
  v.maxValue(Number.MAX_SAFE_INTEGER, "must be a positive integer"),
);

export type NewUserInput = v.InferOutput<typeof NewUser>;
export type LoginInput = v.InferOutput<typeof LoginUser>;
export type UserChangesInput = v.InferOutput<typeof UserChanges>;
export type NewArticleInput = v.InferOutput<typeof NewArticle>;
export type ArticleChangesInput = v.InferOutput<typeof ArticleChanges>;
export type NewCommentInput = v.InferOutput<typeof NewComment>;
export type PageInput = v.InferOutput<typeof PageQuery>;
export type CommentPageInput = v.InferOutput<typeof CommentPageQuery>;
export type ArticleQueryInput = v.InferOutput<typeof ArticleQuery>;

/** Folds the same way as the `*_key` columns: case-insensitive, Unicode-aware. */
export const usernameKey = (username: string): string => username.normalize("NFKC").toLowerCase();
export const emailKey = (email: string): string => email.normalize("NFKC").toLowerCase();
