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

/** Does an incoming status replace the one a client holds? Never one reflecting fewer events. */
export function statusSupersedes(incoming: Pick<FacilityStatus, "as_of_seq">, held: Pick<FacilityStatus, "as_of_seq"> | undefined): boolean {
  return held === undefined || incoming.as_of_seq >= held.as_of_seq;
}

/** Merge statuses into a map, keeping the newer of each facility's; returns the ids that changed. */
export function mergeStatuses(into: Map<string, FacilityStatus>, incoming: readonly FacilityStatus[]): string[] {
  const changed: string[] = [];
  for (const s of incoming) {
    if (statusSupersedes(s, into.get(s.facility_id))) {
      into.set(s.facility_id, s);
      changed.push(s.facility_id);
    }
  }
  return changed;
}
