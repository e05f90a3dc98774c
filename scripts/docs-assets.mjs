// Copies the API reference renderer (Swagger UI, from the swagger-ui-dist
// package) into public/assets/swagger-ui/, where Workers static assets serve
// it: the multi-megabyte script never enters the Worker bundle and is not
// committed, and /docs works offline. Run before `wrangler dev`, `deploy`,
// the build and the tests (the npm scripts do it).
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const source = path.dirname(require.resolve("swagger-ui-dist/package.json"));
const target = path.join(import.meta.dirname, "..", "public", "assets", "swagger-ui");
const FILES = ["swagger-ui-bundle.js", "swagger-ui-bundle.js.LICENSE.txt", "swagger-ui.css", "LICENSE", "NOTICE"];

mkdirSync(target, { recursive: true });
let copied = 0;
for (const file of FILES) {
  const from = path.join(source, file);
  const to = path.join(target, file);
  if (existsSync(to) && statSync(to).size === statSync(from).size && statSync(to).mtimeMs >= statSync(from).mtimeMs) continue;
  copyFileSync(from, to);
  copied += 1;
}
if (copied) console.log(`docs assets: copied ${copied} Swagger UI file(s) to ${path.relative(process.cwd(), target)}`);

// The GraphQL IDE served on GET /graphql to browsers (src/api/graphql/ide.ts):
// GraphiQL 3's UMD build, which runs on React 18's UMD builds, into
// public/assets/graphiql/ (not committed either). Its start-up script and
// styles are committed: public/assets/graphql-ide.{js,css}.
const IDE_FILES = [
  ["graphiql", "graphiql.min.js"],
  ["graphiql", "graphiql.min.css"],
  ["graphiql", "LICENSE", "LICENSE.graphiql"],
  ["react", "umd/react.production.min.js"],
  ["react", "LICENSE", "LICENSE.react"],
  ["react-dom", "umd/react-dom.production.min.js"],
  ["react-dom", "LICENSE", "LICENSE.react-dom"],
];
const ideTarget = path.join(import.meta.dirname, "..", "public", "assets", "graphiql");
mkdirSync(ideTarget, { recursive: true });
let ideCopied = 0;
for (const [pkg, file, name = path.basename(file)] of IDE_FILES) {
  const from = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
  const to = path.join(ideTarget, name);
  if (existsSync(to) && statSync(to).size === statSync(from).size && statSync(to).mtimeMs >= statSync(from).mtimeMs) continue;
  copyFileSync(from, to);
  ideCopied += 1;
}
if (ideCopied) console.log(`docs assets: copied ${ideCopied} GraphiQL file(s) to ${path.relative(process.cwd(), ideTarget)}`);
