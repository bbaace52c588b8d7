/** Runs a snippet's program as a child process, without blocking the loopback servers the test runs. */
import { spawn } from 'node:child_process';

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when it was still running after `settleMs` and was sent SIGTERM. */
  terminated: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Waits for the program to exit. A long-lived one (a server, a stream) still running after
 * `settleMs` is sent SIGTERM, as a host stops it, and given 5 s more to exit.
 */
export function runProgram(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; settleMs: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let terminated = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    const settle = setTimeout(() => {
      terminated = true;
      child.kill('SIGTERM');
    }, options.settleMs);
    const kill = setTimeout(() => child.kill('SIGKILL'), options.settleMs + 5000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(settle);
      clearTimeout(kill);
      resolve({ code, signal, terminated, stdout, stderr });
    });
  });
}
