/** Quitting's one promise: every worker is gone within the deadline, busy or not. */

export interface ShutdownOptions {
  /** How long workers get to stop cleanly before the pool kills them. */
  graceMs: number;
  /** After this, whatever is left is force-killed and quitting goes on. */
  deadlineMs: number;
}

/**
 * Closes the pool (`close(graceMs)` asks workers to stop, then kills them) and,
 * should that not finish by the deadline or fail, force-kills what is left.
 * Resolves to how it ended; never rejects.
 */
export async function closeWithin(
  close: (graceMs: number) => Promise<void>,
  forceKill: () => void,
  { graceMs, deadlineMs }: ShutdownOptions,
): Promise<'closed' | 'forced'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'forced'>((resolve) => (timer = setTimeout(() => resolve('forced'), deadlineMs)));
  const closed = close(graceMs).then(
    () => 'closed' as const,
    () => 'forced' as const,
  );
  const outcome = await Promise.race([closed, deadline]);
  clearTimeout(timer);
  if (outcome === 'forced') forceKill();
  return outcome;
}
