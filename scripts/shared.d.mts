// Types of scripts/shared.mjs, for vitest.config.ts and the Node-side tests.
export declare const SHARED_DIR: string;
export declare function sharedPath(relative: string): string | null;
export declare function readShared(relative: string): string | null;
