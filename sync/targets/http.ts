/** What the REST targets share: an error that says what failed and why, without the token. */

/** An Error naming `what`, the HTTP status, and the first error message the API gave. */
export async function apiFailure(response: Response, what: string): Promise<Error> {
  let detail = '';
  try {
    const body = (await response.json()) as { errors?: Array<{ message?: string }>; error?: { message?: string } };
    detail = body.errors?.[0]?.message ?? body.error?.message ?? '';
  } catch {
    // Not JSON: the status says enough.
  }
  const hint = response.status === 401 || response.status === 403 ? ' (check the API token and its permissions)' : '';
  return new Error(`${what} failed with HTTP ${response.status}${detail ? `: ${detail}` : ''}${hint}`);
}
