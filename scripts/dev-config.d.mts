// Types of scripts/dev-config.mjs, for the Node-side tests that start the Worker with it.
export declare const LOCAL_LIMITS: Record<"AUTH_ACCOUNT_LIMITER" | "AUTH_CLIENT_LIMITER" | "WRITE_CLIENT_LIMITER", number>;
export type RateLimitMode = "local" | "production";
export declare const MODES: RateLimitMode[];
export declare function rateLimitMode(value?: string): RateLimitMode;
export declare function wranglerConfig(root: string, mode: RateLimitMode): string;
