// A minimal forward web proxy on loopback, for the proxy tests of the Node hosts.
import { createServer, request as httpRequest } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface LoopbackProxy {
  readonly uri: string;
  /** `GET http://host:port/path` for forwarded requests, `CONNECT host:port` for tunnels. */
  readonly log: string[];
  /** Local ports of the proxy's upstream connections: what the target sees as remote ports. */
  readonly upstreamPorts: Set<number>;
  /** Connections from clients to the proxy that are open now. */
  openConnections(): number;
  close(): Promise<void>;
}

/** A minimal forward proxy: absolute-URI requests for http, CONNECT tunnels for https. */
export async function startProxy(): Promise<LoopbackProxy> {
  const log: string[] = [];
  const upstreamPorts = new Set<number>();
  const sockets = new Set<Socket>();
  const accepted = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer((req, res) => {
    log.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: target.pathname + target.search,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    upstream.on('socket', (socket) => track(socket));
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    track(socket);
    accepted.add(socket);
    socket.once('close', () => accepted.delete(socket));
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    log.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      upstreamPorts.add(upstream.localPort as number);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    upstreamPorts,
    openConnections: () => accepted.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

