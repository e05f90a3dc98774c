import { createMiddleware } from "hono/factory";
import { DomainError } from "../domain/errors";
import { unsafeConfiguration } from "../env";
import type { AppEnv } from "./context";
import { logEvent } from "./log";

// A Worker deployed with the public example secret would accept tokens that
// anyone can sign: it answers 503 to every request that reaches it (static
// assets are served before it runs) and says why in the log, once per isolate.

let logged = false;

export const refuseUnsafeConfiguration = createMiddleware<AppEnv>(async (c, next) => {
  const problem = unsafeConfiguration(c.env);
  if (problem) {
    if (!logged) logEvent("error", c.var.requestId, { error: problem });
    logged = true;
    throw new DomainError("unavailable", "the service is not configured");
  }
  await next();
});
