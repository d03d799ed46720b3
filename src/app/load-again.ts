/**
 * Code and messages fetched on first use (a screen's chunk, the screens' catalog) over a link that
 * drops for a moment: tried again after a wait, longer each time, before the failure is let through
 * for the screen to say so.
 */
const LOAD_WAITS_MS = [500, 2_000] as const;

export async function loadAgainOnFailure<T>(
  load: () => Promise<T>,
  waits: readonly number[] = LOAD_WAITS_MS,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  for (const wait of waits) {
    try {
      return await load();
    } catch {
      await sleep(wait);
    }
  }
  return load();
}
