// A loopback server speaking the part of Consul's HTTP API a KV store uses, built to Consul's
// documentation (/v1/kv and /v1/txn): keys with create and modify indexes, base64 values in reads,
// check-and-set writes, recursive reads and deletes, and all-or-nothing transactions.
// No Consul agent of an open-source release could be built here, so store tests run against this.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface Entry {
  value: Buffer;
  createIndex: number;
  modifyIndex: number;
}

export interface ConsulServer {
  readonly url: string;
  /** The stored value of a key as text, or undefined. */
  value(key: string): string | undefined;
  keys(): string[];
  /** Sets a key directly, as another writer would. */
  set(key: string, value: string): void;
  stop(): Promise<void>;
}

/** On `options.port` when given (the contract harness expects 8500), else on a free one. */
export async function startConsulServer(options: { token?: string; port?: number } = {}): Promise<ConsulServer> {
  const kv = new Map<string, Entry>();
  let index = 1;
  const sockets = new Set<Socket>();

  const show = (key: string, e: Entry) => ({
    LockIndex: 0,
    Key: key,
    Flags: 0,
    Value: e.value.length === 0 ? null : e.value.toString('base64'),
    CreateIndex: e.createIndex,
    ModifyIndex: e.modifyIndex,
  });
  const put = (key: string, value: Buffer) => {
    index++;
    const held = kv.get(key);
    kv.set(key, { value, createIndex: held?.createIndex ?? index, modifyIndex: index });
  };
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'X-Consul-Index': String(index) });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (options.token !== undefined && req.headers['x-consul-token'] !== options.token) {
      return send(res, 403, 'ACL not found');
    }
    const url = new URL(req.url ?? '/', 'http://consul');
    if (url.pathname === '/v1/txn' && req.method === 'PUT') {
      let ops: Array<{ KV: { Verb: string; Key: string; Value?: string; Index?: number } }>;
      try {
        ops = JSON.parse(body.toString());
      } catch {
        return send(res, 400, 'Failed to parse body');
      }
      if (!Array.isArray(ops) || ops.length > 64) return send(res, 413, 'Transaction contains too many operations');
      // Check every operation first: a transaction applies whole or not at all.
      const errors = ops.flatMap((op, i) =>
        op.KV?.Verb === 'cas' && (kv.get(op.KV.Key)?.modifyIndex ?? 0) !== op.KV.Index
          ? [{ OpIndex: i, What: 'failed to set key: index is stale' }]
          : ['set', 'cas', 'delete', 'delete-tree'].includes(op.KV?.Verb)
            ? []
            : [{ OpIndex: i, What: `unknown verb "${op.KV?.Verb}"` }],
      );
      if (errors.length > 0) return send(res, 409, { Results: null, Errors: errors });
      const results = [];
      for (const { KV: op } of ops) {
        if (op.Verb === 'set' || op.Verb === 'cas') {
          put(op.Key, Buffer.from(op.Value ?? '', 'base64'));
          results.push({ KV: { ...show(op.Key, kv.get(op.Key)!), Value: null } });
        } else if (op.Verb === 'delete') {
          kv.delete(op.Key);
          index++;
        } else {
          for (const key of [...kv.keys()]) if (key.startsWith(op.Key)) kv.delete(key);
          index++;
        }
      }
      return send(res, 200, { Results: results, Errors: null });
    }
    if (!url.pathname.startsWith('/v1/kv/')) return send(res, 404, 'no such endpoint');
    const key = decodeURIComponent(url.pathname.slice('/v1/kv/'.length));
    const recurse = url.searchParams.has('recurse');
    if (req.method === 'GET') {
      const found = recurse
        ? [...kv.entries()].filter(([k]) => k.startsWith(key)).sort(([a], [b]) => (a < b ? -1 : 1))
        : kv.has(key)
          ? [[key, kv.get(key)!] as const]
          : [];
      if (found.length === 0) return send(res, 404, '');
      return send(res, 200, found.map(([k, e]) => show(k, e)));
    }
    if (req.method === 'PUT') {
      const cas = url.searchParams.get('cas');
      if (cas !== null) {
        const held = kv.get(key);
        const wanted = Number(cas);
        if ((wanted === 0 && held !== undefined) || (wanted !== 0 && held?.modifyIndex !== wanted)) {
          return send(res, 200, 'false');
        }
      }
      put(key, body);
      return send(res, 200, 'true');
    }
    if (req.method === 'DELETE') {
      for (const k of [...kv.keys()]) if (recurse ? k.startsWith(key) : k === key) kv.delete(k);
      index++;
      return send(res, 200, 'true');
    }
    return send(res, 405, 'method not allowed');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    value: (key) => kv.get(key)?.value.toString(),
    keys: () => [...kv.keys()].sort(),
    set: (key, value) => put(key, Buffer.from(value)),
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
