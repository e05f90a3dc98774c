// The part of newman's Node API the Postman suite uses (newman ships no types).
declare module "newman" {
  export type Assertion = { assertion: string; error?: { message: string } };
  export type Failure = { error: { test?: string; message: string }; source?: { name?: string } };
  export type Summary = {
    run: {
      stats: Record<"requests" | "assertions" | "testScripts", { total: number; failed: number; pending: number }>;
      failures: Failure[];
    };
  };
  export type RunOptions = {
    collection: unknown;
    globalVar?: { key: string; value: string }[];
    delayRequest?: number;
    timeoutRequest?: number;
    reporters?: string | string[];
  };
  export function run(options: RunOptions, callback: (error: Error | null, summary: Summary) => void): unknown;
}
