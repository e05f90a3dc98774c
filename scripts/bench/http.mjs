// Requests from the bench to the Workers, and what their Server-Timing says.

export async function call(base, method, path, { token, body, headers = {} } = {}) {
  const response = await fetch(new URL(path, base), {
    method,
    headers: {
      ...(token ? { authorization: `Token ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

export async function expectOk(base, method, path, options) {
  const response = await call(base, method, path, options);
  if (response.status < 200 || response.status > 299) {
    throw new Error(`${method} ${path} answered ${response.status}: ${response.text.slice(0, 500)}`);
  }
  return response.text ? JSON.parse(response.text) : null;
}

/** `cache;desc=hit|miss|bypass, d1;desc=<round trips>;dur=<ms>;rows=<rows read>` (README, "Caching"). */
export function serverTiming(headers) {
  const value = headers.get("server-timing") ?? "";
  const cache = /\bcache;desc=(\w+)/.exec(value)?.[1] ?? null;
  const d1 = /\bd1;desc=(\d+)(?:;dur=([\d.]+))?(?:;rows=(\d+))?/.exec(value);
  const number = (text) => (text === undefined ? null : Number(text));
  return { raw: value, cache, d1: number(d1?.[1]), d1Ms: number(d1?.[2]), rows: number(d1?.[3]) };
}
