#!/usr/bin/env node
/**
 * The `ldedge` command (`npx ldedge sync --to <target>`), under Node, or under Deno
 * (`deno run --allow-net --allow-env --unstable-kv npm:ldedge sync --to deno-kv:flags.db`).
 */
import { runCli, type CliHost } from '../sync/cli.js';

interface DenoLike {
  args: string[];
  env: { toObject(): Record<string, string> };
  openKv: NonNullable<CliHost['openDenoKv']>;
  addSignalListener(signal: string, handler: () => void): void;
  exit(code: number): never;
}

const deno = (globalThis as { Deno?: DenoLike }).Deno;
const stop = new AbortController();
const host: CliHost = deno
  ? {
      args: deno.args,
      env: deno.env.toObject(),
      out: (line) => console.log(line),
      error: (line) => console.error(line),
      signal: stop.signal,
      openDenoKv: (path) => deno.openKv(path),
    }
  : {
      args: process.argv.slice(2),
      env: process.env,
      out: (line) => console.log(line),
      error: (line) => console.error(line),
      signal: stop.signal,
    };
for (const signal of ['SIGINT', 'SIGTERM']) {
  if (deno) deno.addSignalListener(signal, () => stop.abort());
  else process.once(signal, () => stop.abort());
}
const code = await runCli(host);
if (deno) deno.exit(code);
else process.exit(code);
