/**
 * `next/headers` outside Next.js: the current request's headers and cookies, as Next.js gives
 * them to server code. The Flags SDK imports it for flags called without a request.
 */
import { RequestCookies } from '@edge-runtime/cookies';

let current: { headers: Headers; cookies: RequestCookies } | undefined;

export function setRequest(request: Request | undefined): void {
  current = request && { headers: request.headers, cookies: new RequestCookies(request.headers) };
}

export async function headers(): Promise<Headers> {
  if (!current) throw new Error('next/headers: no request');
  return current.headers;
}

export async function cookies(): Promise<RequestCookies> {
  if (!current) throw new Error('next/headers: no request');
  return current.cookies;
}
