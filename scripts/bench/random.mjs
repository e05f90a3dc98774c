// Seeded randomness for the bench: the same seed gives the same data and the
// same sequence of requests, so runs differ only by what the machine does.

/** A uniform [0, 1) generator (mulberry32). */
export function randomFrom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A rank in [0, n), rank r drawn with probability proportional to 1 / (r + 1)^s (Zipf). */
export function zipf(n, random, s = 1) {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += 1 / (r + 1) ** s;
    cumulative[r] = total;
  }
  return () => {
    const u = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulative[mid] > u) high = mid;
      else low = mid + 1;
    }
    return low;
  };
}

/** An integer in [0, n). */
export const below = (n, random) => Math.floor(random() * n);

/** `items` in a random order (Fisher–Yates), as a new array. */
export function shuffled(items, random) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = below(i + 1, random);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
