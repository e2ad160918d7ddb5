import { describe, expect, it } from "vitest";
import { demoRegistryDocument } from "./demo-data.js";
import { canonicalEvent, MAX_BATCH, TREATMENT_CATEGORIES, type FacilityEvent } from "./events.js";
import { parseRegistry } from "./registry.js";
import { EARLIEST_MS, MAX_FUTURE_MS, validateBody, type ValidationContext } from "./validate.js";

const parsed = parseRegistry(demoRegistryDocument);
if (!parsed.ok) throw new Error(`bundled registry does not parse: ${parsed.problems.join("; ")}`);
const registry = parsed.registry;

const NOW = Date.UTC(2026, 10, 22, 1, 0, 0); // 2026-11-22T08:00:00+07:00
const ctx: ValidationContext = { facility: (id) => registry.byId.get(id), now: NOW };

const NO_UNITS = "sl-drug-rehab-song-ma";
const WITH_UNITS = "sl-drug-rehab"; // units: compulsory, voluntary, female, medical

const base = { event_id: "evt-1", facility_id: NO_UNITS, occurred_at: "2026-11-22T07:45:00+07:00" };
const censusEv = (over: Record<string, unknown> = {}) => ({ ...base, type: "census", occupied: 112, ...over });
const admissionEv = (over: Record<string, unknown> = {}) => ({ ...base, type: "admission", ...over });
const dischargeEv = (over: Record<string, unknown> = {}) => ({ ...base, type: "discharge", ...over });
const treatmentEv = (over: Record<string, unknown> = {}) => ({ ...base, type: "treatment", category: "methadone", count: 40, ...over });
const referralEv = (over: Record<string, unknown> = {}) => ({
  ...base,
  type: "referral",
  referral_id: "ref-7",
  status: "requested",
  destination: "Bệnh viện Đa khoa tỉnh Sơn La",
  ...over,
});

function ok(body: unknown) {
  const r = validateBody(body, ctx);
  if (!r.ok) throw new Error(`expected valid, got ${JSON.stringify(r.problems)}`);
  return r;
}
/** Paths of the problems, in order. */
function paths(body: unknown, c: ValidationContext = ctx): string[] {
  const r = validateBody(body, c);
  if (r.ok) throw new Error(`expected problems for ${JSON.stringify(body).slice(0, 200)}`);
  for (const p of r.problems) expect(p.message.length).toBeGreaterThan(0);
  return r.problems.map((p) => p.path);
}

const uniquePaths = (body: unknown) => [...new Set(paths(body))];

describe("valid events", () => {
  it("a single census is accepted with its instant resolved", () => {
    const r = ok(censusEv());
    expect(r.batch).toBe(false);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]!.occurredAtMs).toBe(Date.UTC(2026, 10, 22, 0, 45));
    expect(r.events[0]!.event).toMatchObject({ type: "census", occupied: 112 });
  });

  it("each type is accepted in its minimal and its full form", () => {
    ok(censusEv({ capacity: 140 }));
    ok(censusEv({ occupied: 0, capacity: 0 }));
    ok(admissionEv({ count: 3, cohort: "voluntary" }));
    ok(dischargeEv({ count: 1, outcome: "completed" }));
    ok(treatmentEv());
    ok(referralEv({ urgency: "emergency" }));
    ok(censusEv({ facility_id: WITH_UNITS, unit: "voluntary" }));
  });

  it("a batch keeps request order", () => {
    const r = ok({ events: [censusEv({ event_id: "a" }), admissionEv({ event_id: "b" }), treatmentEv({ event_id: "c" })] });
    expect(r.batch).toBe(true);
    expect(r.events.map((e) => e.event.event_id)).toEqual(["a", "b", "c"]);
  });

  it("admission and discharge count defaults to 1, and a retry with count 1 is the same body", () => {
    const a = ok(admissionEv()).events[0]!.event as FacilityEvent & { count: number };
    const d = ok(dischargeEv()).events[0]!.event as FacilityEvent & { count: number };
    expect(a.count).toBe(1);
    expect(d.count).toBe(1);
    const explicit = ok(admissionEv({ count: 1 })).events[0]!.event;
    expect(canonicalEvent(a)).toBe(canonicalEvent(explicit));
    expect(canonicalEvent(a)).not.toBe(canonicalEvent(ok(admissionEv({ count: 2 })).events[0]!.event));
    // key order does not matter
    const reordered = ok(Object.fromEntries(Object.entries(admissionEv({ count: 1 })).reverse())).events[0]!.event;
    expect(canonicalEvent(reordered)).toBe(canonicalEvent(explicit));
  });
});

describe("event_id", () => {
  it.each(["a", "9", "A.b_c:d-E9", "x".repeat(128), "2026-11-22T08:15:00Z"])("accepts %j", (id) => {
    ok(censusEv({ event_id: id }));
  });
  it.each(["", "x".repeat(129), "-abc", ".abc", "_abc", ":abc", "a b", "a/b", "é", "a+b", "a#1"])("refuses %j at /event_id", (id) => {
    // "" breaks two rules (length and charset), both at /event_id
    expect(uniquePaths(censusEv({ event_id: id }))).toEqual(["/event_id"]);
  });
  it("refuses a non-string and a missing event_id", () => {
    expect(paths(censusEv({ event_id: 42 }))).toEqual(["/event_id"]);
    const { event_id: _drop, ...rest } = censusEv();
    expect(paths(rest)).toEqual(["/event_id"]);
  });
});

describe("type", () => {
  it.each(["bogus", "Census", "", 7, null])("refuses %j at /type", (t) => {
    expect(paths(censusEv({ type: t }))).toEqual(["/type"]);
  });
  it("refuses a missing type at /type", () => {
    const { type: _drop, ...rest } = censusEv();
    expect(paths(rest)).toEqual(["/type"]);
  });
});

describe("occurred_at", () => {
  it.each(["2026-11-22T01:00:00Z", "2026-11-22T08:00:00+07:00", "2026-11-21T19:00:00-06:00", "2026-11-22T07:59:59.123+07:00"])("accepts %j", (at) => {
    ok(censusEv({ occurred_at: at }));
  });
  it.each([
    "2026-11-22T08:00:00",
    "2026-11-22",
    "2026-11-22 08:00:00+07:00",
    "22/11/2026 08:00",
    "2026-11-22T08:00:00+0700",
    "2026-02-30T08:00:00Z",
    "",
    1732237200000,
  ])("refuses %j (no offset / not RFC 3339) at /occurred_at", (at) => {
    expect(paths(censusEv({ occurred_at: at }))).toEqual(["/occurred_at"]);
  });
  it("accepts exactly 5 minutes ahead of the server clock, refuses one second more", () => {
    expect(MAX_FUTURE_MS).toBe(5 * 60_000);
    ok(censusEv({ occurred_at: new Date(NOW + 5 * 60_000).toISOString() }));
    ok(censusEv({ occurred_at: "2026-11-22T08:05:00+07:00" }));
    expect(paths(censusEv({ occurred_at: "2026-11-22T08:05:01+07:00" }))).toEqual(["/occurred_at"]);
    expect(paths(censusEv({ occurred_at: "2027-01-01T00:00:00Z" }))).toEqual(["/occurred_at"]);
  });
  it("refuses instants before 2000-01-01", () => {
    expect(EARLIEST_MS).toBe(Date.UTC(2000, 0, 1));
    ok(censusEv({ occurred_at: "2000-01-01T00:00:00Z" }));
    expect(paths(censusEv({ occurred_at: "1999-12-31T23:59:59Z" }))).toEqual(["/occurred_at"]);
    expect(paths(censusEv({ occurred_at: "1970-01-01T00:00:00Z" }))).toEqual(["/occurred_at"]);
  });
  it("uses the context clock, not the wall clock", () => {
    const past: ValidationContext = { ...ctx, now: Date.UTC(2010, 0, 1) };
    expect(paths(censusEv(), past)).toEqual(["/occurred_at"]);
  });
});

describe("unit", () => {
  it("must be absent when the facility has no units", () => {
    expect(paths(censusEv({ unit: "voluntary" }))).toEqual(["/unit"]);
    expect(paths(treatmentEv({ unit: "x" }))).toEqual(["/unit"]);
  });
  it.each(["census", "admission", "discharge"])("is required on %s when the facility has units", (type) => {
    const ev = { ...base, facility_id: WITH_UNITS, type, ...(type === "census" ? { occupied: 1 } : {}) };
    expect(paths(ev)).toEqual(["/unit"]);
    ok({ ...ev, unit: "female" });
  });
  it("must be one of the facility's units", () => {
    expect(paths(censusEv({ facility_id: WITH_UNITS, unit: "acute" }))).toEqual(["/unit"]); // a unit of another facility
    expect(paths(censusEv({ facility_id: WITH_UNITS, unit: "Voluntary" }))).toEqual(["/unit"]);
    expect(paths(treatmentEv({ facility_id: WITH_UNITS, unit: "nope" }))).toEqual(["/unit"]);
  });
  it("is optional on treatment and referral events of a facility with units", () => {
    ok(treatmentEv({ facility_id: WITH_UNITS }));
    ok(referralEv({ facility_id: WITH_UNITS }));
    ok(treatmentEv({ facility_id: WITH_UNITS, unit: "medical" }));
  });
  it("refuses an empty or over-long unit string", () => {
    expect(paths(censusEv({ facility_id: WITH_UNITS, unit: "" }))).toEqual(["/unit"]);
    expect(paths(censusEv({ facility_id: WITH_UNITS, unit: "u".repeat(65) }))).toEqual(["/unit"]);
  });
  it("an unknown facility is not the validator's business (ownership is checked by the transport)", () => {
    ok(censusEv({ facility_id: "not-in-registry", unit: "whatever" }));
  });
  it("facility_id is required and non-empty", () => {
    expect(paths(censusEv({ facility_id: "" }))).toEqual(["/facility_id"]);
    const { facility_id: _drop, ...rest } = censusEv();
    expect(paths(rest)).toEqual(["/facility_id"]);
  });
});

describe("census fields", () => {
  it.each([-1, 1.5, "3", null, Number.NaN, 1_000_001])("occupied %j → /occupied", (v) => {
    expect(paths(censusEv({ occupied: v }))).toEqual(["/occupied"]);
  });
  it("occupied is required", () => {
    const { occupied: _drop, ...rest } = censusEv();
    expect(paths(rest)).toEqual(["/occupied"]);
  });
  it("occupied 0 and capacity 0 are fine; capacity below 0 or fractional is not", () => {
    ok(censusEv({ occupied: 0 }));
    ok(censusEv({ capacity: 0 }));
    expect(paths(censusEv({ capacity: -1 }))).toEqual(["/capacity"]);
    expect(paths(censusEv({ capacity: 2.5 }))).toEqual(["/capacity"]);
  });
});

describe("admission / discharge fields", () => {
  it.each(["admission", "discharge"])("%s count must be an integer 1–1000", (type) => {
    const ev = (count: unknown) => ({ ...base, type, count });
    ok(ev(1));
    ok(ev(1000));
    for (const bad of [0, -1, 1001, 2.5, "2"]) expect(paths(ev(bad))).toEqual(["/count"]);
  });
  it("cohort and outcome are enums", () => {
    for (const c of ["voluntary", "compulsory", "emergency", "other"]) ok(admissionEv({ cohort: c }));
    for (const o of ["completed", "transferred", "absconded", "deceased", "other"]) ok(dischargeEv({ outcome: o }));
    expect(paths(admissionEv({ cohort: "forced" }))).toEqual(["/cohort"]);
    expect(paths(dischargeEv({ outcome: "escaped" }))).toEqual(["/outcome"]);
    // a field of another type is unknown here
    expect(paths(admissionEv({ outcome: "completed" }))).toEqual(["/outcome"]);
  });
});

describe("treatment fields", () => {
  it("count is an integer 1–10000 and required", () => {
    ok(treatmentEv({ count: 1 }));
    ok(treatmentEv({ count: 10_000 }));
    for (const bad of [0, 10_001, 3.5, null]) expect(paths(treatmentEv({ count: bad }))).toEqual(["/count"]);
    const { count: _drop, ...rest } = treatmentEv();
    expect(paths(rest)).toEqual(["/count"]);
  });
  it("category is one of the eleven", () => {
    expect(TREATMENT_CATEGORIES).toHaveLength(11);
    for (const c of TREATMENT_CATEGORIES) ok(treatmentEv({ category: c }));
    expect(paths(treatmentEv({ category: "surgery" }))).toEqual(["/category"]);
    const { category: _drop, ...rest } = treatmentEv();
    expect(paths(rest)).toEqual(["/category"]);
  });
});

describe("referral fields", () => {
  it("referral_id has the event_id charset", () => {
    ok(referralEv({ referral_id: "R:2026.11_22-1" }));
    for (const bad of ["", "-r", "r r", "x".repeat(129)]) expect(uniquePaths(referralEv({ referral_id: bad }))).toEqual(["/referral_id"]);
  });
  it("status, urgency are enums", () => {
    for (const s of ["requested", "accepted", "transferred", "returned", "cancelled"]) ok(referralEv({ status: s }));
    for (const u of ["routine", "urgent", "emergency"]) ok(referralEv({ urgency: u }));
    expect(paths(referralEv({ status: "done" }))).toEqual(["/status"]);
    expect(paths(referralEv({ urgency: "asap" }))).toEqual(["/urgency"]);
  });
  it("destination is 1–200 characters", () => {
    ok(referralEv({ destination: "x" }));
    ok(referralEv({ destination: "đ".repeat(200) }));
    expect(paths(referralEv({ destination: "" }))).toEqual(["/destination"]);
    expect(paths(referralEv({ destination: "x".repeat(201) }))).toEqual(["/destination"]);
    const { destination: _drop, ...rest } = referralEv();
    expect(paths(rest)).toEqual(["/destination"]);
  });
  it("lists every missing required field", () => {
    expect(paths({ ...base, type: "referral" }).sort()).toEqual(["/destination", "/referral_id", "/status"]);
  });
});

describe("unknown fields (privacy rule)", () => {
  it("are refused at the path of the field itself", () => {
    expect(paths(censusEv({ patient_name: "Nguyễn Văn A" }))).toEqual(["/patient_name"]);
    expect(paths(admissionEv({ id_number: "0123", dob: "1990-01-01" })).sort()).toEqual(["/dob", "/id_number"]);
  });
  it("in a batch, at /events/<index>/<field>", () => {
    const events = [
      censusEv({ event_id: "e0" }),
      admissionEv({ event_id: "e1" }),
      dischargeEv({ event_id: "e2" }),
      censusEv({ event_id: "e3", patient_name: "x" }),
    ];
    expect(paths({ events })).toEqual(["/events/3/patient_name"]);
  });
  it("escapes the field name as a JSON Pointer token (RFC 6901)", () => {
    expect(paths(censusEv({ "a/b": 1 }))).toEqual(["/a~1b"]);
    expect(paths(censusEv({ "m~n": 1 }))).toEqual(["/m~0n"]);
  });
  it("an unknown top-level field beside events", () => {
    expect(paths({ events: [censusEv()], source: "his" })).toEqual(["/source"]);
  });
});

describe("batches", () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => admissionEv({ event_id: `e${i}` }));
  it("must hold 1 to 1000 events", () => {
    expect(MAX_BATCH).toBe(1000);
    expect(paths({ events: [] })).toEqual(["/events"]);
    expect(paths({ events: many(1001) })).toEqual(["/events"]);
    expect(ok({ events: many(1000) }).events).toHaveLength(1000);
    expect(ok({ events: many(1) }).events).toHaveLength(1);
  });
  it("events must be an array", () => {
    expect(paths({ events: censusEv() })).toEqual(["/events"]);
    expect(paths({ events: null })).toEqual(["/events"]);
  });
  it("lists the problems of several events at once", () => {
    const events = [censusEv({ event_id: "e0", occupied: -1 }), admissionEv({ event_id: "e1" }), treatmentEv({ event_id: "e2", count: 0 })];
    expect(paths({ events })).toEqual(["/events/0/occupied", "/events/2/count"]);
  });
  it("lists registry/clock problems of one event beside schema problems of another", () => {
    const events = [
      censusEv({ event_id: "e0", occupied: -1 }),
      admissionEv({ event_id: "e1" }),
      censusEv({ event_id: "e2", facility_id: WITH_UNITS, unit: "nope" }),
      censusEv({ event_id: "e3", occurred_at: "2026-11-22T09:00:00+07:00" }),
    ];
    expect(paths({ events })).toEqual(["/events/0/occupied", "/events/2/unit", "/events/3/occurred_at"]);
  });
  it("lists registry/clock problems of several events", () => {
    const events = [
      censusEv({ event_id: "e0", unit: "x" }),
      admissionEv({ event_id: "e1" }),
      admissionEv({ event_id: "e2", facility_id: WITH_UNITS }),
      dischargeEv({ event_id: "e3", occurred_at: "1999-01-01T00:00:00Z" }),
    ];
    expect(paths({ events })).toEqual(["/events/0/unit", "/events/2/unit", "/events/3/occurred_at"]);
  });
  it("one invalid event refuses the whole batch", () => {
    const r = validateBody({ events: [...many(5), censusEv({ occupied: -5 })] }, ctx);
    expect(r.ok).toBe(false);
  });
});

describe("non-object bodies", () => {
  it.each([null, 42, "census", true, [], [censusEv()]])("%j is refused at the root", (body) => {
    expect(paths(body)).toEqual([""]);
  });
  it("an empty object is refused (no type)", () => {
    expect(paths({})).toContain("/type");
  });
});
