import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { judgePatch, mergeStatuses } from "./live-protocol.js";
import type { FacilityStatus } from "./status-schema.js";

const status = (id: string, seq: number, occupied: number) => ({ facility_id: id, as_of_seq: seq, occupied }) as FacilityStatus;

describe("judgePatch", () => {
  it("applies a patch that continues the client's seq, flags gaps, ignores old ones", () => {
    expect(judgePatch(10, { fromSeq: 10, seq: 12 })).toBe("apply");
    expect(judgePatch(10, { fromSeq: 8, seq: 12 })).toBe("apply");
    expect(judgePatch(10, { fromSeq: 10, seq: 10 })).toBe("apply");
    expect(judgePatch(10, { fromSeq: 11, seq: 12 })).toBe("gap");
    expect(judgePatch(10, { fromSeq: 5, seq: 8 })).toBe("old");
  });
});

describe("mergeStatuses", () => {
  it("whatever the order statuses arrive in, each facility ends at its newest", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("a", "b", "c"), fc.nat(50)), { minLength: 1, maxLength: 40 }), (pairs) => {
        // Status content is a function of (facility, seq), as it is on the server.
        const all = pairs.map(([id, seq]) => status(id, seq, seq * 3));
        const map = new Map<string, FacilityStatus>();
        mergeStatuses(map, all);
        for (const id of new Set(all.map((s) => s.facility_id))) {
          const newest = Math.max(...all.filter((s) => s.facility_id === id).map((s) => s.as_of_seq));
          expect(map.get(id)?.as_of_seq).toBe(newest);
          expect(map.get(id)?.occupied).toBe(newest * 3);
        }
      }),
    );
  });
  it("reports which facilities changed", () => {
    const map = new Map([["a", status("a", 5, 1)]]);
    expect(mergeStatuses(map, [status("a", 4, 9), status("b", 1, 2)])).toEqual(["b"]);
    expect(map.get("a")?.occupied).toBe(1);
  });
});
