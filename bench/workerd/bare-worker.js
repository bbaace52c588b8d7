// Bench Worker (b): one KV read and JSON.parse, the floor for any SDK that reads flags from KV.
export default {
  async fetch(_request, env) {
    const data = JSON.parse(await env.LD_KV.get(env.KV_KEY));
    return new Response(String(Object.keys(data.flags ?? {}).length));
  },
};
