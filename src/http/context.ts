import type { Context as DomainContext } from "../domain/context";
import type { Env } from "../env";

export type AppEnv = {
  Bindings: Env;
  Variables: { requestId: string; ctx: DomainContext };
};
