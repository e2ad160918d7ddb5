import http from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  admission,
  census,
  discharge,
  expectProblem,
  makeClock,
  MIN,
  post,
  problemPaths,
  REHAB,
  referral,
  SONG_MA,
  statusOf,
  T0,
  treatment,
  uid,
} from "../support/contract-helpers.js";
import { postEvents, startTestServer, type TestServer } from "../support/server.js";

/** Contract "Common fields", "Per type" and "Errors": each rule, with the exact JSON Pointer path. */

const AT = T0 - 10 * MIN;

describe("validation rules", () => {
  const clock = makeClock(T0);
  let s: TestServer;
  let key: string;
  let rehabKey: string;

  beforeAll(async () => {
    s = await startTestServer({ now: clock.now });
    key = await s.key(SONG_MA);
    rehabKey = await s.key(REHAB);
  });
  afterAll(async () => {
    await s?.stop();
  });

  /** Expect a 422 naming exactly `path` (and nothing stored). */
  async function rejects(body: unknown, path: string, k = key) {
    const r = await postEvents(s.url, k, body);
    expectProblem(r, 422);
    expect(r.json.type).toBe("/problems/validation");
    expect(Array.isArray(r.json.errors), r.text).toBe(true);
    // Every problem is listed; one field may break several rules (e.g. "" is too short and off-pattern).
    expect([...new Set(problemPaths(r))], r.text).toEqual([path]);
    expect(r.json.errors[0].message).toBeTypeOf("string");
    return r;
  }
  const accepts = async (body: unknown, k = key) => (await post(s.url, k, body, 202)).json;

  describe("event_id", () => {
    it.each([
      ["empty", ""],
      ["129 characters", "a".repeat(129)],
      ["first char '-'", "-abc"],
      ["first char '.'", ".abc"],
      ["first char '_'", "_abc"],
      ["first char ':'", ":abc"],
      ["a space", "a b"],
      ["a slash", "a/b"],
      ["non-ASCII", "sự-kiện-1"],
      ["a number, not a string", 42],
    ])("%s → 422 at /event_id", async (_name, id) => {
      await rejects({ ...census(SONG_MA, 1, AT), event_id: id }, "/event_id");
    });

    it("missing → 422 at /event_id", async () => {
      const { event_id: _x, ...ev } = census(SONG_MA, 1, AT);
      await rejects(ev, "/event_id");
    });

    it("128 chars, the full charset and a leading digit are accepted", async () => {
      await accepts({
        ...census(SONG_MA, 1, AT),
        event_id:
          "x" +
          uid("id")
            .replace(/[^A-Za-z0-9]/g, "")
            .padEnd(127, "z")
            .slice(0, 127),
      });
      await accepts({ ...census(SONG_MA, 1, AT), event_id: `A.b_c:d-${uid("Z")}` });
      await accepts({ ...census(SONG_MA, 1, AT), event_id: `9${uid("n")}` });
    });
  });

  describe("unknown fields (privacy rule)", () => {
    it("patient_name → 422 at /patient_name", async () => {
      await rejects({ ...census(SONG_MA, 1, AT), patient_name: "Nguyễn Văn A" }, "/patient_name");
    });
    it("a field of another type (count on a census) → 422 at /count", async () => {
      await rejects({ ...census(SONG_MA, 1, AT), count: 1 }, "/count");
    });
    it("a nested personal field is still refused (id_number on a referral)", async () => {
      await rejects({ ...referral(SONG_MA, uid("r"), "requested", AT), id_number: "012345678901" }, "/id_number");
    });
  });

  describe("type", () => {
    it("not in the enum → 422 at /type", async () => {
      await rejects({ ...admission(SONG_MA, 1, AT), type: "transfer" }, "/type");
    });
    it("missing → 422 at /type", async () => {
      const { type: _t, ...ev } = admission(SONG_MA, 1, AT);
      await rejects(ev, "/type");
    });
  });

  describe("facility_id", () => {
    it("missing → 422 at /facility_id", async () => {
      const { facility_id: _f, ...ev } = admission(SONG_MA, 1, AT);
      await rejects(ev, "/facility_id");
    });
  });

  describe("occurred_at", () => {
    it.each([
      ["without an offset", "2026-11-22T07:50:00"],
      ["a date only", "2026-11-22"],
      ["not a date", "yesterday"],
      ["a number", T0],
      ["an impossible date", "2026-02-30T08:00:00+07:00"],
    ])("%s → 422 at /occurred_at", async (_n, v) => {
      await rejects({ ...census(SONG_MA, 1, AT), occurred_at: v }, "/occurred_at");
    });

    it("more than 5 minutes ahead of the (injected) server clock → 422; +4 min and exactly +5 min are accepted", async () => {
      await rejects(census(SONG_MA, 1, T0 + 5 * MIN + 1000), "/occurred_at");
      await rejects(census(SONG_MA, 1, T0 + 6 * MIN), "/occurred_at");
      await accepts(census(SONG_MA, 1, T0 + 4 * MIN));
      await accepts(census(SONG_MA, 1, T0 + 5 * MIN));
    });

    it("the limit follows the server clock, not the wall clock", async () => {
      const ahead = census(SONG_MA, 1, T0 + 30 * MIN);
      await rejects(ahead, "/occurred_at");
      clock.advance(30 * MIN);
      try {
        await accepts(ahead);
      } finally {
        clock.set(T0);
      }
    });

    it("before 2000-01-01 → 422; 2000-01-01T00:00:00Z is accepted", async () => {
      await rejects({ ...census(SONG_MA, 1, AT), occurred_at: "1999-12-31T23:59:59Z" }, "/occurred_at");
      // 2000-01-01 06:59 in +07:00 is still 1999 in UTC.
      await rejects({ ...census(SONG_MA, 1, AT), occurred_at: "2000-01-01T06:59:59+07:00" }, "/occurred_at");
      await accepts({ ...census(SONG_MA, 1, AT), occurred_at: "2000-01-01T00:00:00Z" });
    });

    it("an offset like +07:00 and fractional seconds are accepted", async () => {
      await accepts({ ...census(SONG_MA, 1, AT), occurred_at: "2026-11-22T07:45:00+07:00" });
      await accepts({ ...census(SONG_MA, 1, AT), occurred_at: "2026-11-22T00:45:00.123Z" });
    });
  });

  describe("unit", () => {
    it("required on census/admission/discharge of a facility with units → 422 at /unit", async () => {
      await rejects(census(REHAB, 1, AT), "/unit", rehabKey);
      await rejects(admission(REHAB, 1, AT), "/unit", rehabKey);
      await rejects(discharge(REHAB, 1, AT), "/unit", rehabKey);
    });
    it("an unknown unit → 422 at /unit", async () => {
      await rejects(census(REHAB, 1, AT, { unit: "ward-9" }), "/unit", rehabKey);
      await rejects(treatment(REHAB, "detox", 1, AT, { unit: "ward-9" }), "/unit", rehabKey);
    });
    it("forbidden when the facility has no units → 422 at /unit", async () => {
      await rejects(census(SONG_MA, 1, AT, { unit: "compulsory" }), "/unit");
      await rejects(treatment(SONG_MA, "detox", 1, AT, { unit: "compulsory" }), "/unit");
    });
    it("a configured unit is accepted; treatment/referral need none", async () => {
      for (const u of ["compulsory", "voluntary", "female", "medical"]) await accepts(census(REHAB, 1, AT, { unit: u }), rehabKey);
      await accepts(admission(REHAB, 1, AT, { unit: "female" }), rehabKey);
      await accepts(treatment(REHAB, "detox", 1, AT), rehabKey);
      await accepts(referral(REHAB, uid("r"), "requested", AT), rehabKey);
    });
  });

  describe("census", () => {
    it.each([
      ["negative", -1],
      ["fractional", 1.5],
      ["a string", "10"],
      ["null", null],
    ])("occupied %s → 422 at /occupied", async (_n, v) => {
      await rejects({ ...census(SONG_MA, 1, AT), occupied: v }, "/occupied");
    });
    it("occupied missing → 422 at /occupied", async () => {
      const { occupied: _o, ...ev } = census(SONG_MA, 1, AT);
      await rejects(ev, "/occupied");
    });
    it("capacity negative or fractional → 422 at /capacity; 0 accepted", async () => {
      await rejects(census(SONG_MA, 1, AT, { capacity: -1 }), "/capacity");
      await rejects(census(SONG_MA, 1, AT, { capacity: 2.5 }), "/capacity");
      await accepts(census(SONG_MA, 0, AT - MIN, { capacity: 0 }));
      await accepts(census(SONG_MA, 0, AT - MIN, { capacity: 150 }));
    });
    it("occupied 0 is accepted", async () => {
      await accepts(census(SONG_MA, 0, AT));
    });
  });

  describe("admission / discharge", () => {
    it.each([0, 1001, 2.5, -3, "1"])("admission count %s → 422 at /count", async (v) => {
      await rejects({ ...admission(SONG_MA, 1, AT), count: v }, "/count");
    });
    it.each([0, 1001, 1.5])("discharge count %s → 422 at /count", async (v) => {
      await rejects({ ...discharge(SONG_MA, 1, AT), count: v }, "/count");
    });
    it("counts 1 and 1,000 are accepted", async () => {
      await accepts(admission(SONG_MA, 1000, AT));
      await accepts(discharge(SONG_MA, 1000, AT));
      await accepts(admission(SONG_MA, 1, AT));
    });
    it("cohort and outcome enums", async () => {
      await rejects(admission(SONG_MA, 1, AT, { cohort: "forced" }), "/cohort");
      await rejects(discharge(SONG_MA, 1, AT, { outcome: "escaped" }), "/outcome");
      for (const c of ["voluntary", "compulsory", "emergency", "other"]) await accepts(admission(SONG_MA, 1, AT, { cohort: c }));
      for (const o of ["completed", "transferred", "absconded", "deceased", "other"]) await accepts(discharge(SONG_MA, 1, AT, { outcome: o }));
    });
  });

  describe("treatment", () => {
    it.each([0, 10_001, 3.5])("count %s → 422 at /count", async (v) => {
      await rejects(treatment(SONG_MA, "detox", v as number, AT), "/count");
    });
    it("count is required (no default) → 422 at /count", async () => {
      const { count: _c, ...ev } = treatment(SONG_MA, "detox", 1, AT);
      await rejects(ev, "/count");
    });
    it("category outside the enum, or missing → 422 at /category", async () => {
      await rejects(treatment(SONG_MA, "surgery", 1, AT), "/category");
      const { category: _c, ...ev } = treatment(SONG_MA, "detox", 1, AT);
      await rejects(ev, "/category");
    });
    it("every category and count 1–10,000 are accepted", async () => {
      const cats = [
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
      ];
      for (const c of cats) await accepts(treatment(SONG_MA, c, 1, AT));
      await accepts(treatment(SONG_MA, "detox", 10_000, AT));
    });
  });

  describe("referral", () => {
    it("referral_id follows the event_id charset → 422 at /referral_id", async () => {
      await rejects(referral(SONG_MA, "-r1", "requested", AT), "/referral_id");
      await rejects(referral(SONG_MA, "r 1", "requested", AT), "/referral_id");
      await rejects(referral(SONG_MA, "r".repeat(129), "requested", AT), "/referral_id");
      const { referral_id: _r, ...ev } = referral(SONG_MA, "x", "requested", AT);
      await rejects(ev, "/referral_id");
    });
    it("status outside the enum → 422 at /status", async () => {
      await rejects(referral(SONG_MA, uid("r"), "done", AT), "/status");
    });
    it("destination 1–200 chars → 422 at /destination otherwise", async () => {
      await rejects(referral(SONG_MA, uid("r"), "requested", AT, { destination: "" }), "/destination");
      await rejects(referral(SONG_MA, uid("r"), "requested", AT, { destination: "x".repeat(201) }), "/destination");
      const { destination: _d, ...ev } = referral(SONG_MA, uid("r"), "requested", AT);
      await rejects(ev, "/destination");
      await accepts(referral(SONG_MA, uid("r"), "requested", AT, { destination: "x".repeat(200) }));
      await accepts(referral(SONG_MA, uid("r"), "requested", AT, { destination: "B" }));
    });
    it("urgency enum → 422 at /urgency", async () => {
      await rejects(referral(SONG_MA, uid("r"), "requested", AT, { urgency: "asap" }), "/urgency");
      for (const u of ["routine", "urgent", "emergency"]) await accepts(referral(SONG_MA, uid("r"), "requested", AT, { urgency: u }));
    });
  });

  describe("a body with several problems lists each one", () => {
    it("single event: every bad field is named", async () => {
      const r = await postEvents(s.url, key, { ...admission(SONG_MA, 0, AT), event_id: "-bad", cohort: "x", patient_name: "y" });
      expectProblem(r, 422);
      expect(problemPaths(r)).toEqual(["/cohort", "/count", "/event_id", "/patient_name"]);
    });
    it("not an object at all → 422", async () => {
      for (const body of ["[]", "42", '"census"', "null", "true"]) {
        const r = await postEvents(s.url, key, body);
        expectProblem(r, 422);
      }
    });
  });

  describe("transport errors", () => {
    it("malformed JSON → 400 problem+json", async () => {
      for (const body of ['{"event_id":', "{'a':1}", "", "{} {}"]) {
        const r = await postEvents(s.url, key, body);
        expectProblem(r, 400);
        expect(r.json.type).toBe("/problems/malformed-json");
      }
    });

    it("a non-JSON content type → 415 (text/plain, form, and no content type)", async () => {
      const body = JSON.stringify(census(SONG_MA, 1, AT));
      expectProblem(await postEvents(s.url, key, body, { "content-type": "text/plain" }), 415);
      expectProblem(await postEvents(s.url, key, body, { "content-type": "application/x-www-form-urlencoded" }), 415);
      // No Content-Type header at all (a byte body gets none from fetch).
      const res = await fetch(`${s.url}/api/v1/events`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: new TextEncoder().encode(body) });
      const text = await res.text();
      expectProblem({ status: res.status, headers: res.headers, json: JSON.parse(text), text }, 415);
    });

    it("application/json with a charset parameter is accepted", async () => {
      await post(s.url, key, census(SONG_MA, 1, AT), 202, { "content-type": "application/json; charset=utf-8" });
    });

    /** POST on a fresh connection of its own (node:http), optionally streamed without Content-Length. */
    function rawPost(body: string, opts: { chunked?: boolean } = {}) {
      const u = new URL(s.url);
      return new Promise<{ status: number; headers: Headers; json: any; text: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: "127.0.0.1",
            port: u.port,
            path: "/api/v1/events",
            method: "POST",
            agent: false,
            headers: {
              "content-type": "application/json",
              authorization: `Bearer ${key}`,
              ...(opts.chunked ? {} : { "content-length": Buffer.byteLength(body) }),
            },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (d) => (text += d));
            res.on("end", () => {
              const headers = new Headers();
              for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") headers.set(k, v);
              let json: any = null;
              try {
                json = JSON.parse(text);
              } catch {
                /* not JSON */
              }
              resolve({ status: res.statusCode ?? 0, headers, json, text });
            });
          },
        );
        // The server may answer before reading the whole body and close: that is allowed.
        req.on("error", (e: NodeJS.ErrnoException) => (e.code === "EPIPE" || e.code === "ECONNRESET" ? undefined : reject(e)));
        if (opts.chunked) {
          for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.slice(i, i + 64 * 1024));
          req.end();
        } else req.end(body);
      });
    }

    const hugeBody = () => {
      const pad = "x".repeat(200);
      const body = JSON.stringify({ events: Array.from({ length: 6000 }, () => referral(SONG_MA, uid("r"), "requested", AT, { destination: pad })) });
      expect(body.length).toBeGreaterThan(1024 * 1024);
      return body;
    };

    it("a body over 1 MiB → 413 problem+json (with Content-Length, and streamed chunked), nothing stored", async () => {
      const body = hugeBody();
      const before = await statusOf(s.url, key, SONG_MA);
      expectProblem(await rawPost(body), 413);
      expectProblem(await rawPost(body, { chunked: true }), 413);
      expect((await statusOf(s.url, key, SONG_MA)).as_of_seq).toBe(before.as_of_seq);
    });

    it("a batch just under 1 MiB is not refused for size", async () => {
      const events = Array.from({ length: 1000 }, () => referral(SONG_MA, uid("r"), "requested", AT, { destination: "y".repeat(200) }));
      const body = JSON.stringify({ events });
      expect(body.length).toBeLessThan(1024 * 1024);
      await post(s.url, key, body, 202);
    });
    it("after a 413 the client's kept-alive connections still work (or the server said Connection: close)", async () => {
      // An integrator's HTTP client (here: Node's fetch with its keep-alive pool) sends a too-large
      // batch, gets 413, and splits the batch as told. Its next requests must not fail on a
      // connection the server closed while announcing keep-alive. Own server: a dead pooled
      // connection must not leak into the other tests.
      const own = await startTestServer({ now: clock.now });
      try {
        const k = await own.key(SONG_MA);
        const attempt = () =>
          postEvents(own.url, k, census(SONG_MA, 1, AT)).then(
            (x) => ({ status: x.status, text: x.text }),
            (e: Error) => ({ status: -1, text: String((e as { cause?: unknown }).cause ?? e) }),
          );
        for (const mode of ["content-length", "chunked"] as const) {
          const body = hugeBody();
          const bytes = new TextEncoder().encode(body);
          const res = await fetch(`${own.url}/api/v1/events`, {
            method: "POST",
            headers: { authorization: `Bearer ${k}`, "content-type": "application/json" },
            body:
              mode === "chunked"
                ? new ReadableStream({
                    start(ctrl) {
                      for (let i = 0; i < bytes.length; i += 64 * 1024) ctrl.enqueue(bytes.slice(i, i + 64 * 1024));
                      ctrl.close();
                    },
                  })
                : body,
            duplex: "half",
          } as RequestInit);
          const text = await res.text();
          expectProblem({ status: res.status, headers: res.headers, json: JSON.parse(text), text }, 413);
          const closes = (res.headers.get("connection") ?? "").toLowerCase() === "close";
          const next = [await attempt(), await attempt(), ...(await Promise.all([attempt(), attempt()]))];
          if (!closes) for (const n of next) expect(n.status, `${mode}: a request after a keep-alive 413 failed: ${n.text}`).toBe(202);
        }
      } finally {
        await own.stop();
      }
    });
  });

  describe("no request content produces a 5xx (fast-check)", () => {
    const ALLOWED = [200, 202, 400, 403, 409, 413, 415, 422];

    it("random JSON values posted as the body", async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (v) => {
          const r = await postEvents(s.url, key, JSON.stringify(v));
          expect(ALLOWED, `${r.status} for ${JSON.stringify(v).slice(0, 300)}: ${r.text.slice(0, 300)}`).toContain(r.status);
          if (r.status >= 400) expectProblem(r, r.status);
        }),
        { numRuns: 150 },
      );
    });

    it("random batches wrapping random values", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }), async (arr) => {
          const r = await postEvents(s.url, key, { events: arr });
          expect(ALLOWED, `${r.status}: ${r.text.slice(0, 300)}`).toContain(r.status);
          if (r.status >= 400) expectProblem(r, r.status);
        }),
        { numRuns: 60 },
      );
    });

    it("random mutations of valid events (fields replaced, removed, added)", async () => {
      const valid = fc.constantFrom<() => Record<string, unknown>>(
        () => census(SONG_MA, 10, AT, { capacity: 150 }),
        () => admission(SONG_MA, 2, AT, { cohort: "voluntary" }),
        () => discharge(SONG_MA, 1, AT, { outcome: "completed" }),
        () => treatment(SONG_MA, "methadone", 5, AT),
        () => referral(SONG_MA, uid("r"), "requested", AT, { urgency: "urgent" }),
        () => census(REHAB, 10, AT, { unit: "medical" }),
      );
      const fields = [
        "event_id",
        "facility_id",
        "type",
        "occurred_at",
        "unit",
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
        "__proto__",
        "constructor",
        "events",
      ];
      const interesting = fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom(
          "",
          "9999-12-31T23:59:59Z",
          "0000-01-01T00:00:00Z",
          "2026-11-22T08:00:00+99:99",
          "2026-11-22T08:00:00-23:59",
          "+275760-09-13T00:00:00Z",
          1e308,
          -0,
          Number.MAX_SAFE_INTEGER + 2,
          "x".repeat(5000),
          "census",
          "referral",
          "sl-drug-rehab",
          "no-such-facility",
          "compulsory",
          "\u0000",
          "\ud800",
        ),
      );
      const mutation = fc.oneof(
        fc.record({ op: fc.constant("set" as const), field: fc.constantFrom(...fields), value: interesting }),
        fc.record({ op: fc.constant("del" as const), field: fc.constantFrom(...fields) }),
        fc.record({ op: fc.constant("add" as const), field: fc.string({ maxLength: 12 }), value: fc.jsonValue({ maxDepth: 1 }) }),
      );
      await fc.assert(
        fc.asyncProperty(valid, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), async (make, muts, asBatch) => {
          const ev: Record<string, unknown> = make();
          for (const m of muts) {
            if (m.op === "del") delete ev[m.field];
            else Object.defineProperty(ev, m.field, { value: m.value, enumerable: true, configurable: true, writable: true });
          }
          const body = JSON.stringify(asBatch ? { events: [census(SONG_MA, 1, AT), ev] } : ev);
          const k = ev.facility_id === REHAB ? rehabKey : key;
          const r = await postEvents(s.url, k, body);
          expect(ALLOWED, `${r.status} for ${body.slice(0, 400)}: ${r.text.slice(0, 300)}`).toContain(r.status);
          if (r.status >= 400) expectProblem(r, r.status);
        }),
        { numRuns: 250 },
      );
    });
  });
});
