/** Stale: no event accepted from the facility for longer than twice its reporting interval. */
export function isStale(lastAcceptedAt: number | null, reportingIntervalMinutes: number, now: number): boolean {
  if (lastAcceptedAt === null) return true;
  return now - lastAcceptedAt > 2 * reportingIntervalMinutes * 60_000;
}
