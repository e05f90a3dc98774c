import { HonoBase } from "hono/hono-base";
import { TrieRouter } from "hono/router/trie-router";
import type { AppEnv } from "./context";

// Every Hono app of the Worker, made one way: with Hono's trie router alone.
// Sub-apps hand their routes to the app they are mounted on, so only the
// Worker's router matches requests; the default preset would also bundle a
// RegExp router and the one that picks between them (about 1 KB gzipped).
export const createApp = () => new HonoBase<AppEnv>({ router: new TrieRouter() });
