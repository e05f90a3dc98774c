// First step of `npm run dev`: give local development a signing secret when
// the developer has not made one, so `npm install && npm run dev` just works.
import { copyFileSync, existsSync } from "node:fs";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (local development secret only).");
}
