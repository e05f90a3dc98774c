import type { Context } from "hono";
import { readJsonBody } from "../../http/body";
import type { AppEnv } from "../../http/context";
import { requireJsonApiBody } from "./media";

// What handlers read of a JSON:API request.

export const urlOf = (c: Context<AppEnv>) => new URL(c.req.url);

/** The request document, in the JSON:API media type. */
export const readDocument = (c: Context<AppEnv>) => readJsonBody(c.req.raw, requireJsonApiBody);

/** `me`, or the viewer's own id, names the viewer. */
export const isViewer = (c: Context<AppEnv>, id: string) => id === "me" || id === String(c.var.ctx.viewer?.userId ?? "");
