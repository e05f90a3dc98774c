import { defineConfig } from "drizzle-kit";

// The schema in src/db/schema.ts is the single source; `npm run db:generate`
// writes the SQL migrations that wrangler and the tests apply.
// DRIZZLE_OUT lets the drift check generate into a scratch copy.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: process.env.DRIZZLE_OUT ?? "./migrations",
});
