import type { StatusPatch } from "./live.js";
import type { FacilityStatus } from "./status-schema.js";

/**
 * How a live client treats each patch (pure, shared by the web app and the tests that drive
 * the real hub). Socket.IO delivers at most once and a resync may overtake a patch, so:
 * - a patch that starts beyond what the client has (`fromSeq > seq`) reveals a gap: resync;
 * - a patch older than what the client has (`seq < seq`) is ignored;
 * - otherwise it applies, and each facility keeps whichever status has the greater as_of_seq,
 *   so no ordering of patches and resyncs can move a tile backwards.
 */
export type PatchVerdict = "apply" | "gap" | "old";

export function judgePatch(clientSeq: number, patch: Pick<StatusPatch, "fromSeq" | "seq">): PatchVerdict {
  if (patch.fromSeq > clientSeq) return "gap";
  if (patch.seq < clientSeq) return "old";
  return "apply";
}

/** Merge statuses into a map, keeping the newer of each facility's; returns the ids that changed. */
export function mergeStatuses(into: Map<string, FacilityStatus>, incoming: readonly FacilityStatus[]): string[] {
  const changed: string[] = [];
  for (const s of incoming) {
    const had = into.get(s.facility_id);
    if (!had || s.as_of_seq >= had.as_of_seq) {
      into.set(s.facility_id, s);
      changed.push(s.facility_id);
    }
  }
  return changed;
}
