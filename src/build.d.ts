/**
 * Whether this build documents itself: true where the OpenAPI document is
 * generated (scripts/openapi.mjs, the tests), false in the Worker bundle
 * (`[define]` in wrangler.toml). What only the document says, a route's prose
 * and examples, is written `OPENAPI && {...}`: the bundle folds it to `false`
 * and drops the text.
 */
declare const OPENAPI: boolean;
