// The floor for `npm run bench`: the least a Worker can do on the same runtime,
// served the same way as the app, so the app's numbers can be read against it.
//   /ok  nothing
//   /kv  one KV read of a ~10 KB value (seeded by the bench as "value")
//   /d1  one D1 select of 20 rows (from a table of 100 seeded by the bench)

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/ok") return new Response("ok");
    if (pathname === "/kv") {
      const value = await env.KV.get("value", "text");
      if (value === null) return new Response("missing", { status: 500 });
      return new Response(value, { headers: { "content-type": "application/json; charset=utf-8" } });
    }
    if (pathname === "/d1") {
      const { results } = await env.DB.prepare(
        "SELECT id, slug, title, description, created_at FROM items ORDER BY id DESC LIMIT 20",
      ).all();
      return Response.json({ items: results });
    }
    return new Response("not found", { status: 404 });
  },
};
