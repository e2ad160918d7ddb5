import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ev, iso, NO_UNITS, req, T0, WITH_UNITS } from "../test-helpers.js";
import type { Store } from "../types.js";
import { ENGINES } from "./engines.js";

/**
 * Several writers on several connections (stores on the same data, as server processes are),
 * readers following the log as the live hubs do (watch, then readFrom their own seq): a reader
 * never misses a seq and never sees one out of order — a later seq is never visible before an
 * earlier one, whichever writer committed which. On PostgreSQL this is what the advisory lock
 * around the append buys (seq = max + 1 under the lock, so commit order is seq order).
 */
const WRITERS = 3;
const READERS = 2;

/** Follow `store`'s log from 0 until it reaches `until`; throws at the first gap or reorder. */
function follow(store: Store, until: () => number | null): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const seen: number[] = [];
    let reading = false;
    let again = false;
    const step = async () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          for (;;) {
            const rows = await store.log.readFrom(seen.at(-1) ?? 0, 50);
            if (!rows.length) break;
            for (const r of rows) {
              const expected = (seen.at(-1) ?? 0) + 1;
              if (r.seq !== expected) throw new Error(`after seq ${expected - 1} the log showed ${r.seq}`);
              seen.push(r.seq);
            }
          }
        } while (again);
        const target = until();
        if (target !== null && (seen.at(-1) ?? 0) >= target) {
          clearInterval(tick);
          unwatch();
          resolve(seen);
        }
      } catch (err) {
        clearInterval(tick);
        unwatch();
        reject(err as Error);
      } finally {
        reading = false;
      }
    };
    const unwatch = store.log.watch(() => void step());
    // Also read on a timer: a reader polling between commits is where a gap would show.
    const tick = setInterval(() => void step(), 5);
    void step();
  });
}

for (const engine of ENGINES) {
  describe(engine.name, () => {
    it("readers following the log never miss or reorder a seq while several writers append at once", async () => {
      await fc.assert(
        fc.asyncProperty(
          // Per writer: its requests, each a batch of 1–5 events.
          fc.array(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 12 }), { minLength: WRITERS, maxLength: WRITERS }),
          async (plan) => {
            const t = await engine.create({ pollMs: 20 });
            try {
              const writers = [t.store, ...(await Promise.all(Array.from({ length: WRITERS - 1 }, () => t.openAnother({ pollMs: 20 }))))];
              const readers = await Promise.all(Array.from({ length: READERS }, () => t.openAnother({ pollMs: 20 })));
              const total = plan.flat().reduce((a, b) => a + b, 0);
              let finished: number | null = null;
              const following = readers.map((r) => follow(r, () => finished));
              let n = 0;
              await Promise.all(
                plan.map(async (batches, w) => {
                  for (const size of batches) {
                    const facility = (n + w) % 2 ? NO_UNITS : WITH_UNITS;
                    const events = Array.from({ length: size }, () =>
                      ev({ facility_id: facility, event_id: `w${w}-${++n}`, type: "admission", occurred_at: iso(T0 + n * 1000) }),
                    );
                    const [outcome] = await writers[w]!.log.append([req(events)]);
                    expect(outcome?.ok).toBe(true);
                  }
                }),
              );
              finished = await t.store.log.lastSeq();
              expect(finished).toBe(total);
              const seen = await Promise.all(following);
              for (const s of seen) expect(s).toEqual(Array.from({ length: total }, (_, i) => i + 1));
            } finally {
              await t.dispose();
            }
          },
        ),
        { numRuns: 8 },
      );
    });
  });
}
