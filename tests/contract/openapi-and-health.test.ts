import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMISSION_COHORTS, DISCHARGE_OUTCOMES, EVENT_TYPES, REFERRAL_STATUSES, REFERRAL_URGENCIES, TREATMENT_CATEGORIES } from "@carewatch/domain";
import { admission, census, discharge, expectProblem, makeClock, MIN, SONG_MA, statusOf, T0, treatment, uid, referral } from "../support/contract-helpers.js";
import { createValidator } from "../support/openapi-validator.js";
import { postEvents, readResponse, startTestServer, type TestServer } from "../support/server.js";

/**
 * Contract: the API is published as an OpenAPI 3.1 document at /api/v1/openapi.json with a
 * human-readable page beside it; problem types are documented; /healthz and /readyz.
 * The document's JSON Schemas are checked against the server itself: what the schema accepts the
 * server accepts, and what it refuses the server refuses (for rules a schema can express).
 */

describe("OpenAPI document, docs page and health", () => {
  const clock = makeClock(T0);
  let s: TestServer;
  let key: string;
  let doc: any;
  let v: ReturnType<typeof createValidator>;

  beforeAll(async () => {
    s = await startTestServer({ now: clock.now });
    key = await s.key(SONG_MA);
    const res = await fetch(`${s.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    doc = await res.json();
    v = createValidator(doc);
  });
  afterAll(async () => {
    await s?.stop();
  });

  const AT = T0 - 10 * MIN;

  it("is OpenAPI 3.1 and describes POST /api/v1/events and GET …/status with every contract response", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info?.title).toBeTypeOf("string");
    expect(doc.info?.version).toBeTypeOf("string");
    const post = doc.paths?.["/api/v1/events"]?.post;
    expect(post).toBeTypeOf("object");
    expect(Object.keys(post.requestBody.content)).toContain("application/json");
    for (const code of ["200", "202", "400", "401", "403", "409", "413", "415", "422", "429"]) expect(Object.keys(post.responses)).toContain(code);
    for (const code of ["400", "401", "403", "409", "413", "415", "422", "429"])
      expect(Object.keys(post.responses[code].content ?? {})).toContain("application/problem+json");
    const get = doc.paths?.["/api/v1/facilities/{facility_id}/status"]?.get;
    expect(get).toBeTypeOf("object");
    for (const code of ["200", "401", "403"]) expect(Object.keys(get.responses)).toContain(code);
    expect(doc.components.securitySchemes).toBeTypeOf("object");
    expect(JSON.stringify(doc.components.securitySchemes)).toMatch(/bearer/i);
  });

  it("has a schema per event type, with the domain's enums and the contract's required fields", () => {
    const sc = doc.components.schemas;
    const byType: Record<string, string> = {
      census: "CensusEvent",
      admission: "AdmissionEvent",
      discharge: "DischargeEvent",
      treatment: "TreatmentEvent",
      referral: "ReferralEvent",
    };
    expect(Object.keys(byType).sort()).toEqual([...EVENT_TYPES].sort());
    for (const [t, name] of Object.entries(byType)) {
      const schema = sc[name];
      expect(schema, name).toBeTypeOf("object");
      expect(schema.additionalProperties, `${name} refuses unknown fields`).toBe(false);
      expect(schema.properties.type.const ?? schema.properties.type.enum?.[0]).toBe(t);
      for (const f of ["event_id", "facility_id", "type", "occurred_at"]) expect(schema.required, name).toContain(f);
      expect(schema.required ?? []).not.toContain("unit");
    }
    expect(sc.CensusEvent.required).toContain("occupied");
    expect(sc.CensusEvent.required).not.toContain("capacity");
    expect(sc.AdmissionEvent.required ?? []).not.toContain("count"); // default 1
    expect(sc.TreatmentEvent.required).toEqual(expect.arrayContaining(["category", "count"]));
    expect(sc.ReferralEvent.required).toEqual(expect.arrayContaining(["referral_id", "status", "destination"]));
    expect(sc.TreatmentEvent.properties.category.enum).toEqual([...TREATMENT_CATEGORIES]);
    expect(sc.AdmissionEvent.properties.cohort.enum).toEqual([...ADMISSION_COHORTS]);
    expect(sc.DischargeEvent.properties.outcome.enum).toEqual([...DISCHARGE_OUTCOMES]);
    expect(sc.ReferralEvent.properties.status.enum).toEqual([...REFERRAL_STATUSES]);
    expect(sc.ReferralEvent.properties.urgency.enum).toEqual([...REFERRAL_URGENCIES]);
    // And the contract's literal lists (the domain must not drift from the contract either).
    expect([...TREATMENT_CATEGORIES]).toEqual([
      "detox",
      "methadone",
      "psychosocial",
      "vocational",
      "psychiatric_care",
      "physical_rehab",
      "convalescence",
      "orthopedic_device",
      "nurturing",
      "health_check",
      "other",
    ]);
    expect([...REFERRAL_STATUSES]).toEqual(["requested", "accepted", "transferred", "returned", "cancelled"]);
    expect(sc.TreatmentEvent.properties.count).toMatchObject({ minimum: 1, maximum: 10000 });
    expect(sc.AdmissionEvent.properties.count).toMatchObject({ minimum: 1, maximum: 1000 });
    expect(sc.ReferralEvent.properties.destination).toMatchObject({ minLength: 1, maxLength: 200 });
    expect(sc.EventBatch.properties.events).toMatchObject({ minItems: 1, maxItems: 1000 });
  });

  it("sample valid events validate against the document's schemas and the server accepts them", async () => {
    const samples = [
      census(SONG_MA, 112, AT, { capacity: 150 }),
      admission(SONG_MA, 2, AT, { cohort: "voluntary" }),
      (({ count: _c, ...e }) => e)(admission(SONG_MA, 1, AT)),
      discharge(SONG_MA, 1, AT, { outcome: "completed" }),
      treatment(SONG_MA, "methadone", 40, AT),
      referral(SONG_MA, uid("r"), "requested", AT, { urgency: "urgent" }),
      { ...census(SONG_MA, 1, AT), occurred_at: "2026-11-22T07:50:00+07:00" },
    ];
    for (const e of samples) {
      expect(v.check("FacilityEvent", e), JSON.stringify(e)).toEqual([]);
      const r = await postEvents(s.url, key, e);
      expect(r.status, r.text).toBe(202);
      expect(v.check("EventResult", r.json)).toEqual([]);
      // The retry response also matches.
      const d = await postEvents(s.url, key, e);
      expect(d.status).toBe(200);
      expect(v.check("EventResult", d.json)).toEqual([]);
    }
    const batch = { events: [treatment(SONG_MA, "detox", 1, AT), census(SONG_MA, 3, AT)] };
    expect(v.check("EventBatch", batch)).toEqual([]);
    const r = await postEvents(s.url, key, batch);
    expect(r.status).toBe(202);
    expect(v.check("BatchResult", r.json)).toEqual([]);
  });

  it("sample invalid events fail the document's schemas and the server refuses them with 422", async () => {
    const samples: unknown[] = [
      { ...census(SONG_MA, 1, AT), patient_name: "x" },
      { ...census(SONG_MA, -1, AT) },
      { ...admission(SONG_MA, 1001, AT) },
      { ...treatment(SONG_MA, "surgery", 1, AT) },
      { ...treatment(SONG_MA, "detox", 10_001, AT) },
      { ...referral(SONG_MA, "r1", "done", AT) },
      { ...referral(SONG_MA, "r1", "requested", AT, { destination: "" }) },
      { ...admission(SONG_MA, 1, AT), type: "transfer" },
      { ...admission(SONG_MA, 1, AT), event_id: "-x" },
      { ...admission(SONG_MA, 1, AT), occurred_at: "2026-11-22T07:50:00" },
      { events: [] },
    ];
    for (const e of samples) {
      const schemaName = (e as any).events ? "EventBatch" : "FacilityEvent";
      expect(v.check(schemaName, e).length, JSON.stringify(e)).toBeGreaterThan(0);
      const r = await postEvents(s.url, key, e);
      expectProblem(r, 422);
      expect(v.check("Problem", r.json), r.text).toEqual([]);
    }
  });

  it("fast-check: for schema-expressible rules, the document and the server agree on every mutated event", async () => {
    const pool = fc.constantFrom<unknown>(
      -1,
      0,
      1,
      2,
      999,
      1000,
      1001,
      10_000,
      10_001,
      2.5,
      "",
      "x",
      "x".repeat(201),
      "y".repeat(200),
      "detox",
      "asap",
      "routine",
      "requested",
      "accepted",
      "census",
      "voluntary",
      "completed",
      null,
      true,
      [],
      {},
      "-id",
      "ok.id_1:x-2",
      "a".repeat(129),
    );
    const fields = [
      "event_id",
      "type",
      "occupied",
      "capacity",
      "count",
      "cohort",
      "outcome",
      "category",
      "referral_id",
      "status",
      "destination",
      "urgency",
      "patient_name",
    ];
    const base = fc.constantFrom<() => Record<string, unknown>>(
      () => census(SONG_MA, 5, AT),
      () => admission(SONG_MA, 1, AT),
      () => discharge(SONG_MA, 1, AT),
      () => treatment(SONG_MA, "detox", 1, AT),
      () => referral(SONG_MA, uid("r"), "requested", AT),
    );
    await fc.assert(
      fc.asyncProperty(
        base,
        fc.array(fc.tuple(fc.constantFrom(...fields), fc.option(pool, { freq: 5 })), { minLength: 1, maxLength: 3 }),
        async (make, muts) => {
          const ev: Record<string, unknown> = make();
          for (const [f, val] of muts) {
            if (val === null) delete ev[f];
            else ev[f] = val;
          }
          // Keep the id unique so acceptance is never a duplicate/conflict of an earlier run.
          if (typeof ev.event_id === "string" && /^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(ev.event_id) && ev.event_id.length <= 100)
            ev.event_id = `${ev.event_id}.${uid("m")}`;
          if (
            ev.type === "referral" &&
            typeof ev.referral_id === "string" &&
            /^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(ev.referral_id) &&
            ev.referral_id.length <= 100
          )
            ev.referral_id = `${ev.referral_id}.${uid("m")}`;
          const schemaOk = v.check("FacilityEvent", ev).length === 0;
          const r = await postEvents(s.url, key, ev);
          const serverOk = r.status === 202;
          expect({ schemaOk, serverOk, status: r.status, ev }).toEqual({ schemaOk, serverOk: schemaOk, status: r.status, ev });
          if (!serverOk) expect(r.status, r.text).toBe(422);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("the status response matches the FacilityStatus schema", async () => {
    const st = await statusOf(s.url, key, SONG_MA);
    expect(v.check("FacilityStatus", st)).toEqual([]);
    for (const f of [
      "facility_id",
      "name",
      "type",
      "capacity",
      "occupied",
      "available",
      "occupancy_pct",
      "level",
      "stale",
      "data_quality",
      "last_event_at",
      "as_of_seq",
      "today",
    ])
      expect(st).toHaveProperty(f);
    expect(["drug_rehab", "psychiatric", "social_protection", "social_work", "merit_nursing"]).toContain(st.type);
    expect(Object.keys(st.today).sort()).toEqual(["admissions", "discharges", "referrals_open", "treatments"]);
  });

  it("the human page /api/v1/docs is HTML and mentions every event type, category and the problem types", async () => {
    const res = await fetch(`${s.url}/api/v1/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/<html/i);
    for (const t of EVENT_TYPES) expect(html).toContain(t);
    for (const c of TREATMENT_CATEGORIES) expect(html).toContain(c);
    expect(html).toContain("/problems/validation");
    expect(html).toContain("openapi.json");
  });

  it("problem types are documented: each `type` the server returns resolves, and the document lists it", async () => {
    const seen = new Set<string>();
    seen.add((await postEvents(s.url, key, "{")).json.type);
    seen.add((await postEvents(s.url, null, census(SONG_MA, 1, AT))).json.type);
    seen.add((await postEvents(s.url, key, census("sl-merit-nursing", 1, AT))).json.type);
    seen.add((await postEvents(s.url, key, { ...census(SONG_MA, 1, AT), patient_name: "x" })).json.type);
    seen.add((await postEvents(s.url, key, "{}", { "content-type": "text/plain" })).json.type);
    const dup = admission(SONG_MA, 1, AT);
    await postEvents(s.url, key, dup);
    seen.add((await postEvents(s.url, key, { ...dup, count: 2 })).json.type);
    expect(seen.size).toBe(6);
    const documented = JSON.stringify(doc);
    for (const t of seen) {
      expect(t).toMatch(/^\/problems\/[a-z0-9-]+$/);
      const res = await fetch(`${s.url}${t}`);
      expect(res.status, t).toBe(200);
      expect((await res.text()).length).toBeGreaterThan(10);
      expect(documented, `${t} in openapi.json`).toContain(t);
    }
    const val = await fetch(`${s.url}/problems/validation`);
    expect(val.status).toBe(200);
    expect(await val.text()).toMatch(/422|[Vv]alidation/);
  });

  it("/problems/{name} is 404 problem+json for names that are not problem kinds, including Object.prototype's", async () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "no-such-problem"]) {
      const r = await readResponse(await fetch(`${s.url}/problems/${name}`));
      expectProblem(r, 404);
      expect(r.json.type, name).toBe("/problems/not-found");
    }
  });

  it("/healthz and /readyz answer 200 without a key", async () => {
    const h = await fetch(`${s.url}/healthz`);
    expect(h.status).toBe(200);
    await h.text();
    const r = await fetch(`${s.url}/readyz`);
    expect(r.status).toBe(200);
    await r.text();
  });
});
