import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { demoRegistryDocument } from "./demo-data.js";
import { IMPORT_COLUMNS, importOccurredAt, mapImportRows, readImportHeader, type ImportContext, type ImportHeader, type SheetRow } from "./import-rows.js";
import { parseRegistry, type Facility } from "./registry.js";
import { toZonedIso } from "./time.js";

const parsed = parseRegistry(demoRegistryDocument);
if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
const registry = parsed.registry;
const REHAB = registry.byId.get("sl-drug-rehab")!; // units compulsory, voluntary, female, medical
const SONG_MA = registry.byId.get("sl-drug-rehab-song-ma")!; // no units
const NOW = Date.parse("2026-11-22T01:00:00Z"); // 08:00 in Sơn La
/** A stable 64-bit FNV-1a hex, twice salted (the server passes SHA-256; the domain only needs stability). */
const sha = (s: string) => {
  const fnv = (salt: number) => {
    let h = 0xcbf29ce484222325n ^ BigInt(salt);
    for (const ch of s) h = BigInt.asUintN(64, (h ^ BigInt(ch.codePointAt(0)!)) * 0x100000001b3n);
    return h.toString(16).padStart(16, "0");
  };
  return fnv(1) + fnv(2);
};
const ctx = (facility: Facility): ImportContext => ({ facility, lookup: (id) => registry.byId.get(id), now: NOW, hash: sha });

function header(...names: string[]): ImportHeader {
  const r = readImportHeader({ row: 1, cells: names });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.header;
}
const rows = (...lines: string[][]): SheetRow[] => lines.map((cells, i) => ({ row: i + 2, cells }));

describe("readImportHeader", () => {
  it("reads the template's Vietnamese headers and the English field names, whatever the case, spacing or Unicode form", () => {
    const vi = header(...IMPORT_COLUMNS.map((c) => c.vi));
    expect(vi.keys).toEqual(IMPORT_COLUMNS.map((c) => c.key));
    const en = header(...IMPORT_COLUMNS.map((c) => c.key));
    expect(en.keys).toEqual(IMPORT_COLUMNS.map((c) => c.key));
    // A sheet saved by another program: decomposed accents (NFD), other case, doubled spaces.
    const odd = header("  LOẠI ".normalize("NFD"), "thời   điểm".normalize("NFD"), "Số Lượng");
    expect(odd.keys).toEqual(["type", "occurred_at", "count"]);
  });

  it("names every unknown column and every missing required one; an empty file says so", () => {
    const r = readImportHeader({ row: 1, cells: ["Loại", "Ghi chú", "", "Đơn vị"] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.column)).toEqual(["Ghi chú", "Đơn vị", "Thời điểm"]);
    expect(r.problems[0]!.message).toMatch(/^Cột không rõ "Ghi chú" · Unknown column/);
    expect(r.problems[2]!.message).toMatch(/^Thiếu cột "Thời điểm" · Missing column "occurred_at"/);
    const empty = readImportHeader(undefined);
    expect(empty).toEqual({ ok: false, problems: [{ row: 1, column: "", message: "Tệp trống · The file is empty" }] });
  });
});

describe("importOccurredAt", () => {
  it("dd/mm/yyyy hh:mm is the facility's wall clock (day first), written with the zone's offset", () => {
    expect(importOccurredAt("22/11/2026 07:05", "Asia/Ho_Chi_Minh")).toBe("2026-11-22T07:05:00+07:00");
    expect(importOccurredAt(" 2/3/2026 7:05:09 ", "Asia/Ho_Chi_Minh")).toBe("2026-03-02T07:05:09+07:00");
    expect(importOccurredAt("22/11/2026", "Asia/Ho_Chi_Minh")).toBe("2026-11-22T00:00:00+07:00");
    expect(importOccurredAt("22/11/2026T07:05", "UTC")).toBe("2026-11-22T07:05:00+00:00");
  });

  it("ISO 8601 passes through (the domain's validation judges it); anything else, or no such day or time, is null", () => {
    expect(importOccurredAt("2026-11-22T07:20:00+07:00", "Asia/Ho_Chi_Minh")).toBe("2026-11-22T07:20:00+07:00");
    for (const bad of ["31/02/2026 07:00", "22/11/2026 24:00", "22/11/2026 07:60", "22/13/2026", "11/22/26", "hôm qua", "", "2026-11-22"])
      expect(importOccurredAt(bad, "Asia/Ho_Chi_Minh"), bad).toBeNull();
  });

  it("in a zone with daylight saving: the offset of that date, and a skipped hour resolves to a real instant", () => {
    expect(importOccurredAt("15/07/2026 12:00", "Europe/Berlin")).toBe("2026-07-15T12:00:00+02:00");
    expect(importOccurredAt("15/01/2026 12:00", "Europe/Berlin")).toBe("2026-01-15T12:00:00+01:00");
    // 29/03/2026 02:30 does not exist in Berlin (02:00 → 03:00).
    const gap = importOccurredAt("29/03/2026 02:30", "Europe/Berlin")!;
    expect(gap).toBe(toZonedIso(Date.parse(gap), "Europe/Berlin"));
    expect(Date.parse(gap)).toBeGreaterThanOrEqual(Date.parse("2026-03-29T01:00:00Z"));
    expect(Date.parse(gap)).toBeLessThanOrEqual(Date.parse("2026-03-29T01:30:00Z"));
  });

  it("property: any instant's wall clock, written dd/mm/yyyy hh:mm:ss, reads back as that wall clock in that zone, as toZonedIso writes it", () => {
    const zones = ["Asia/Ho_Chi_Minh", "UTC", "Europe/Berlin", "America/Sao_Paulo", "Asia/Kolkata", "America/St_Johns"];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2035, 0, 1) / 1000 }), fc.constantFrom(...zones), (sec, zone) => {
        const iso = toZonedIso(sec * 1000, zone);
        const [, y, mo, d, h, mi, s] = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)/.exec(iso)!;
        const read = importOccurredAt(`${d}/${mo}/${y} ${h}:${mi}:${s}`, zone)!;
        expect(read.slice(0, 19)).toBe(iso.slice(0, 19));
        // The fast path agrees with the domain's formatter for the instant it names.
        expect(read).toBe(toZonedIso(Date.parse(read), zone));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("mapImportRows", () => {
  const H = header("Mã sự kiện", "Loại", "Khu", "Thời điểm", "Số đang điều trị", "Số lượng", "Đối tượng", "Loại điều trị");

  it("good rows become validated Facility API events for the facility, numbers as numbers; blank rows are skipped", () => {
    const m = mapImportRows(
      H,
      rows(
        ["c-1", "census", "compulsory", "22/11/2026 06:00", "150", "", "", ""],
        ["", "", "", "", "", "", "", ""],
        ["", "admission", "voluntary", "22/11/2026 06:30", "", "4", "voluntary", ""],
        ["", "treatment", "", "2026-11-22T07:10:00+07:00", "", "6", "", "detox"],
      ),
      ctx(REHAB),
    );
    expect(m.problems).toEqual([]);
    expect(m.rowOf).toEqual([2, 4, 5]);
    expect(m.accepted).toHaveLength(3);
    expect(m.accepted![0]!.event).toMatchObject({ event_id: "c-1", facility_id: REHAB.id, type: "census", unit: "compulsory", occupied: 150 });
    expect(m.accepted![0]!.occurredAtMs).toBe(Date.parse("2026-11-21T23:00:00Z"));
    expect(m.accepted![1]!.event).toMatchObject({ type: "admission", count: 4, cohort: "voluntary", occurred_at: "2026-11-22T06:30:00+07:00" });
    expect(m.accepted![2]!.event).toMatchObject({ type: "treatment", count: 6, category: "detox" });
  });

  it("a row without an event_id gets a stable one from its content: the same row → the same id, another row → another id", () => {
    const a = ["", "treatment", "", "22/11/2026 07:00", "", "6", "", "detox"];
    const b = ["", "treatment", "", "22/11/2026 07:00", "", "7", "", "detox"];
    const one = mapImportRows(H, rows(a, b), ctx(REHAB));
    const two = mapImportRows(H, rows(b, a), ctx(REHAB));
    const ids1 = one.events.map((e) => e.event_id);
    const ids2 = two.events.map((e) => e.event_id);
    expect(ids1[0]).toMatch(/^imp-[0-9a-f]{32}$/);
    expect(ids1[0]).not.toBe(ids1[1]);
    expect(ids2).toEqual([ids1[1], ids1[0]]);
    // The same content in another file layout (English headers, other column order) is the same row.
    const en = header("count", "occurred_at", "type", "category");
    expect(mapImportRows(en, rows(["6", "22/11/2026 07:00", "treatment", "detox"]), ctx(REHAB)).events[0]!.event_id).toBe(ids1[0]);
  });

  it("every problem by row and the file's own column: a bad number, a bad date, an unknown unit, a future time; nothing accepted", () => {
    const m = mapImportRows(
      header("Loại", "khu", "THỜI ĐIỂM", "Số lượng"),
      rows(
        ["admission", "compulsory", "22/11/2026 06:00", "ba"],
        ["admission", "compulsory", "31/11/2026 06:00", "3"],
        ["admission", "tầng 9", "22/11/2026 06:00", "3"],
        ["admission", "compulsory", "23/11/2026 06:00", "3"],
        ["admission", "compulsory", "22/11/2026 06:00", "3"],
      ),
      ctx(REHAB),
    );
    expect(m.accepted).toBeNull();
    expect(m.problems.map((p) => [p.row, p.column])).toEqual([
      [2, "Số lượng"],
      [3, "THỜI ĐIỂM"],
      [4, "khu"],
      [5, "THỜI ĐIỂM"],
    ]);
    expect(m.problems[0]!.message).toBe('"ba" không phải số nguyên · not a whole number');
    expect(m.problems[2]!.message).toBe(
      "Cơ sở không có khu này; dùng một trong: compulsory, voluntary, female, medical · unknown unit; expected one of compulsory, voluntary, female, medical",
    );
    expect(m.problems[3]!.message).toBe("Thời điểm ở tương lai (quá 5 phút so với giờ máy chủ) · is more than 5 minutes ahead of the server clock");
  });

  it("a problem in a field the file has no column for is named by the template's Vietnamese header", () => {
    // A census in a facility with units needs a unit; the file has no "Khu" column.
    const m = mapImportRows(header("Loại", "Thời điểm", "Số đang điều trị"), rows(["census", "22/11/2026 06:00", "10"]), ctx(REHAB));
    expect(m.problems).toEqual([
      { row: 2, column: "Khu", message: expect.stringMatching(/^Cần ghi Khu cho loại census; một trong: compulsory, .* · required for census/) },
    ]);
    const ok = mapImportRows(header("Loại", "Thời điểm", "Số đang điều trị"), rows(["census", "22/11/2026 06:00", "10"]), ctx(SONG_MA));
    expect(ok.problems).toEqual([]);
    expect(ok.accepted![0]!.event.facility_id).toBe(SONG_MA.id);
  });

  it("a problem the mapping has no Vietnamese words for leads with a general one, then the domain's message", () => {
    const m = mapImportRows(header("Loại", "Thời điểm", "Số lượng", "Loại điều trị"), rows(["treatment", "22/11/2026 06:00", "2", "sauna"]), ctx(SONG_MA));
    expect(m.problems).toHaveLength(1);
    expect(m.problems[0]!.column).toBe("Loại điều trị");
    expect(m.problems[0]!.message).toMatch(/^Giá trị không hợp lệ · \S/);
  });

  it("a chunk of blank rows maps to nothing, with nothing to report", () => {
    expect(mapImportRows(H, rows(["", " "]), ctx(REHAB))).toEqual({ events: [], rowOf: [], accepted: [], problems: [] });
  });
});
