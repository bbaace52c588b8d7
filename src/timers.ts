/** Waiting with a deadline, shared by the client and the runtime adapters. */

/**
 * Whether `ms` pass before `work` settles: false once it resolves, true at the deadline; rejects
 * when `work` rejects first. The timer is cleared either way, so nothing of ours stays scheduled.
 */
export async function timedOut(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, true))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
