// A KV binding that refuses what production's KV refuses and local KV does
// not: a second write to the same key within one second ("429 Too Many
// Requests"). The cache tests and the benchmark (scripts/bench.mjs) run the
// app against it, and read what it saw: every write attempt, with its time
// and whether it was refused.

export const KEY_WRITE_INTERVAL_MS = 1_000;

export type KvWrite = { key: string; at: number; refused: boolean };

export type ProductionKv = {
  kv: KVNamespace;
  /** Every put, in order. */
  readonly writes: KvWrite[];
};

export function productionKv(inner: KVNamespace, now: () => number = Date.now): ProductionKv {
  const writes: KvWrite[] = [];
  const lastAccepted = new Map<string, number>();
  const put: KVNamespace["put"] = async (key, value, options) => {
    const at = now();
    const last = lastAccepted.get(key);
    if (last !== undefined && at - last < KEY_WRITE_INTERVAL_MS) {
      writes.push({ key, at, refused: true });
      throw new Error("KV PUT failed: 429 Too Many Requests");
    }
    lastAccepted.set(key, at);
    writes.push({ key, at, refused: false });
    await inner.put(key, value, options);
  };
  const kv = new Proxy(inner, {
    get(target, property) {
      if (property === "put") return put;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv, writes };
}

/** Writes to one key closer together than KV allows that were accepted: must be none. */
export function tooFrequent(writes: readonly KvWrite[]): KvWrite[] {
  const last = new Map<string, number>();
  const found: KvWrite[] = [];
  for (const write of writes) {
    if (write.refused) continue;
    const before = last.get(write.key);
    if (before !== undefined && write.at - before < KEY_WRITE_INTERVAL_MS) found.push(write);
    last.set(write.key, write.at);
  }
  return found;
}

/** Refused writes after which the key was never written again: invalidations lost. */
export function lost(writes: readonly KvWrite[]): KvWrite[] {
  // From the last write back, so that a bench run's tens of thousands of writes take one pass.
  const writtenLater = new Set<string>();
  const found: KvWrite[] = [];
  for (const write of [...writes].reverse()) {
    if (!write.refused) writtenLater.add(write.key);
    else if (!writtenLater.has(write.key)) found.push(write);
  }
  return found.reverse();
}
