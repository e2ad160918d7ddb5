import { createHash } from "node:crypto";
import {
  canonicalEvent,
  IMPORT_HEADER_VI,
  mapImportRows,
  readImportHeader,
  type AcceptedEvent,
  type RowProblem,
  type SheetRow,
  type UserPrincipal,
} from "@carewatch/domain";
import type { GroupCommitter, Store } from "@carewatch/store";
import { yieldToLoop } from "./read-sheet.js";

/**
 * Rows mapped and validated this many at a time, with a turn of the event loop between, so the
 * live board's posts and sockets are never held behind a whole file: 1,000 rows (the Facility
 * API's batch limit) measured 35–70 ms of main-thread CPU on a busy machine, 500 about half.
 */
export const CHUNK = 500;
/** Events per request to the group committer (the Facility API's batch limit): ~40 ms of commit each. */
export const STORE_CHUNK = 1000;

/**
 * Problems listed in an answer (the page shows the first 500); `problem_count` says how many there
 * are. A file with a problem on each of 100,000 rows would otherwise be a 10 MB answer, serialised
 * in one go on the event loop.
 */
export const LISTED_PROBLEMS = 1000;
export const listed = (problems: readonly RowProblem[]) => ({ problems: problems.slice(0, LISTED_PROBLEMS), problem_count: problems.length });

const sha256Hex = (s: string) => createHash("sha256").update(s).digest("hex");

export interface MappedSheet {
  rows: number;
  /** Rows by event type (what the preview shows). The events themselves are not kept: the
   *  validated ones below are what is stored, and one copy of 100,000 events is enough. */
  byType: Record<string, number>;
  /** The file's row number of each event. */
  rowOf: number[];
  /** The validated events; null when any row has a problem. */
  accepted: AcceptedEvent[] | null;
  problems: RowProblem[];
}

/**
 * A file's rows → events for `facilityId` with every problem by row and column (the domain's
 * mapping and validation, packages/domain/src/import-rows.ts), a chunk at a time. `progress` is
 * told how many rows are done after each chunk.
 */
export async function mapSheet(
  cells: readonly SheetRow[],
  facilityId: string,
  store: Store,
  now: number,
  progress: (done: number) => void = () => {},
): Promise<MappedSheet> {
  const head = readImportHeader(cells[0]);
  if (!head.ok) return { rows: 0, byType: {}, rowOf: [], accepted: null, problems: head.problems };
  const facility = store.registry.byId.get(facilityId)!;
  const ctx = { facility, lookup: (id: string) => store.registry.byId.get(id), now, hash: sha256Hex };
  const byType: Record<string, number> = {};
  const rowOf: number[] = [];
  const accepted: AcceptedEvent[] = [];
  const problems: RowProblem[] = [];
  for (let s = 1; s < cells.length; s += CHUNK) {
    const m = mapImportRows(head.header, cells.slice(s, s + CHUNK), ctx);
    for (const e of m.events) {
      const t = String(e.type ?? "");
      byType[t] = (byType[t] ?? 0) + 1;
    }
    for (const r of m.rowOf) rowOf.push(r);
    for (const p of m.problems) problems.push(p);
    if (m.accepted && problems.length === 0) for (const a of m.accepted) accepted.push(a);
    progress(Math.min(cells.length - 1, s - 1 + CHUNK));
    await yieldToLoop();
  }
  // Chunks are in row order and each is sorted, so the whole list already is.
  return { rows: rowOf.length, byType, rowOf, accepted: problems.length ? null : accepted, problems };
}

export interface Job {
  id: string;
  owner: string;
  /** checking: `done` rows mapped and checked; storing: `done` rows appended; done: `result` holds the answer. */
  state: "checking" | "storing" | "done";
  done: number;
  total: number;
  result?: unknown;
}

export interface ImportJobDeps {
  store: Store;
  committer: GroupCommitter;
  now: () => number;
}

const conflictProblem = (row: number, message: string): RowProblem => ({
  row,
  column: IMPORT_HEADER_VI.event_id,
  message: `Xung đột: ${message} · Conflict: ${message}`,
});

/**
 * Every event_id checked against the log and against the file before anything is stored: one
 * already used with a different body is a conflict. In chunks: the canonical bodies of 100,000
 * events, computed in one go, held the loop for 0.2 s.
 */
async function conflictsOf(d: ImportJobDeps, facilityId: string, accepted: readonly AcceptedEvent[], rowOf: readonly number[]): Promise<RowProblem[]> {
  const conflicts: RowProblem[] = [];
  const seen = new Map<string, string>();
  for (let s = 0; s < accepted.length; s += CHUNK) {
    const chunk = accepted.slice(s, s + CHUNK);
    const stored = await d.store.log.bodiesOf(
      facilityId,
      chunk.map((a) => a.event.event_id),
    );
    chunk.forEach((a, j) => {
      const id = a.event.event_id;
      const body = canonicalEvent(a.event);
      const before = stored.get(id) ?? seen.get(id);
      if (before !== undefined && before !== body) conflicts.push(conflictProblem(rowOf[s + j] ?? 0, "event_id already used with a different body"));
      if (!seen.has(id)) seen.set(id, body);
    });
    await yieldToLoop();
  }
  return conflicts;
}

/**
 * The import itself, all or nothing as far as this process can know: every row mapped and
 * validated (any problem → nothing stored); every event_id checked against the log and the file;
 * then referral rows (the only ones the store may still refuse: a move their referral cannot
 * make) as one first request, so such a refusal stores nothing; then the rest, which cannot
 * conflict any more, in chunks of STORE_CHUNK, each its own request to the group committer, so the live
 * board's posts commit between them. The one gap: a sender posting one of these event_ids with a
 * different body between the check and its chunk; that chunk is refused and reported, and the
 * chunks before it stay stored (the result says so).
 */
export async function runImportJob(d: ImportJobDeps, job: Job, cells: readonly SheetRow[], facilityId: string, user: UserPrincipal): Promise<void> {
  const now = d.now();
  const mapped = await mapSheet(cells, facilityId, d.store, now, (done) => (job.done = done));
  // Checked: every row done (blank rows dropped from the count, as the preview counts them).
  job.total = job.done = mapped.rows;
  if (mapped.problems.length || !mapped.accepted) {
    job.result = { ok: false, rows: mapped.rows, ...listed(mapped.problems) };
    return;
  }
  const accepted = mapped.accepted;
  const conflicts = await conflictsOf(d, facilityId, accepted, mapped.rowOf);
  if (conflicts.length) {
    job.result = { ok: false, rows: mapped.rows, ...listed(conflicts) };
    return;
  }

  job.state = "storing";
  job.done = 0;
  const referralIdx: number[] = [];
  const restIdx: number[] = [];
  accepted.forEach((a, i) => (a.event.type === "referral" ? referralIdx : restIdx).push(i));
  const groups: number[][] = referralIdx.length ? [referralIdx] : [];
  for (let s = 0; s < restIdx.length; s += STORE_CHUNK) groups.push(restIdx.slice(s, s + STORE_CHUNK));
  let acceptedCount = 0;
  let duplicates = 0;
  for (const [g, idx] of groups.entries()) {
    const outcome = await d.committer.submit({ facilityId, events: idx.map((i) => accepted[i]!), receivedAt: now });
    if (!outcome.ok) {
      const storedNote = g === 0 ? "" : ` ${job.done} dòng trước đó đã được lưu · ${job.done} earlier rows were stored`;
      job.result = {
        ok: false,
        rows: mapped.rows,
        accepted: acceptedCount,
        duplicates,
        ...listed(
          outcome.conflicts.map((x) => {
            const p = conflictProblem(mapped.rowOf[idx[x.index]!] ?? 0, x.message);
            return { ...p, message: `${p.message}.${storedNote}` };
          }),
        ),
      };
      return;
    }
    acceptedCount += outcome.accepted;
    duplicates += outcome.duplicates;
    job.done += idx.length;
  }
  await d.store.audit.record({
    at: d.now(),
    actor: { kind: "user", id: user.userId, email: user.email },
    action: "import",
    target: facilityId,
    after: { rows: mapped.rows, accepted: acceptedCount, duplicates },
  });
  job.result = { ok: true, rows: mapped.rows, accepted: acceptedCount, duplicates, by_type: mapped.byType };
}
