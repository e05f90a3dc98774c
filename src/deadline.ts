// One way to bound a wait: D1 round trips, KV calls and health probes each
// race their work against a timer, and the timer is always cleared.

/** `work`, or a rejection with `timeout()` if it has not settled within `ms`. */
export function withDeadline<T>(work: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout()), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer ?? null));
}
