import { expect } from "vitest";
import { postEvents, readResponse } from "./server.js";

/**
 * Small helpers shared by the Facility API v1 conformance suite (tests/contract, tests/reliability).
 * Nothing here mocks the server: they build request bodies and read real HTTP responses.
 */

/** Facility ids from the bundled registry (packages/domain/data/facilities.json). */
export const SONG_MA = "sl-drug-rehab-song-ma"; // no units, capacity 150, interval 15 min
export const REHAB = "sl-drug-rehab"; // units compulsory/voluntary/female/medical
export const MERIT = "sl-merit-nursing"; // no units, capacity 100, interval 60 min
export const SOCIAL = "sl-social-protection"; // no units, capacity 120, interval 30 min

/** A fixed instant: 2026-11-22 08:00 in Asia/Ho_Chi_Minh (01:00Z). */
export const T0 = Date.parse("2026-11-22T01:00:00Z");
export const MIN = 60_000;
export const HOUR = 3_600_000;

/** A movable clock to inject with `startTestServer({ now: clock.now })`. */
export function makeClock(start = T0) {
  let t = start;
  return {
    now: () => t,
    set(ms: number) {
      t = ms;
    },
    advance(ms: number) {
      t += ms;
    },
  };
}

export const iso = (ms: number) => new Date(ms).toISOString();

let counter = 0;
/** A unique, valid event_id. */
export function uid(prefix = "e"): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

type Extra = Record<string, unknown>;

export function census(facility: string, occupied: number, at: number, extra: Extra = {}) {
  return { event_id: uid("cen"), facility_id: facility, type: "census", occurred_at: iso(at), occupied, ...extra };
}
export function admission(facility: string, count: number, at: number, extra: Extra = {}) {
  return { event_id: uid("adm"), facility_id: facility, type: "admission", occurred_at: iso(at), count, ...extra };
}
export function discharge(facility: string, count: number, at: number, extra: Extra = {}) {
  return { event_id: uid("dis"), facility_id: facility, type: "discharge", occurred_at: iso(at), count, ...extra };
}
export function treatment(facility: string, category: string, count: number, at: number, extra: Extra = {}) {
  return { event_id: uid("trt"), facility_id: facility, type: "treatment", occurred_at: iso(at), category, count, ...extra };
}
export function referral(facility: string, referralId: string, status: string, at: number, extra: Extra = {}) {
  return {
    event_id: uid("ref"),
    facility_id: facility,
    type: "referral",
    occurred_at: iso(at),
    referral_id: referralId,
    status,
    destination: "Bệnh viện Đa khoa tỉnh Sơn La",
    ...extra,
  };
}

/** GET the facility status with a key. */
export async function getStatus(url: string, key: string | null, facilityId: string) {
  return readResponse(await fetch(`${url}/api/v1/facilities/${facilityId}/status`, { headers: key ? { authorization: `Bearer ${key}` } : {} }));
}

/** GET the status and expect 200; returns the body. */
export async function statusOf(url: string, key: string, facilityId: string): Promise<any> {
  const r = await getStatus(url, key, facilityId);
  expect(r.status, r.text).toBe(200);
  return r.json;
}

/** POST and expect a given HTTP status; returns the parsed response. */
export async function post(url: string, key: string | null, body: unknown, expected: number, headers: Record<string, string> = {}) {
  const r = await postEvents(url, key, body, headers);
  expect(r.status, `POST → ${r.status}: ${r.text.slice(0, 2000)}`).toBe(expected);
  return r;
}

/** Every error is RFC 9457 problem+json with type (relative URI), title, status and detail. */
export function expectProblem(r: { status: number; headers: Headers; json: any; text: string }, status: number) {
  expect(r.status, r.text.slice(0, 2000)).toBe(status);
  expect(r.headers.get("content-type") ?? "").toMatch(/^application\/problem\+json\b/);
  expect(r.json, r.text.slice(0, 500)).toBeTypeOf("object");
  expect(r.json.type).toMatch(/^\/problems\/[a-z0-9-]+$/);
  expect(r.json.title).toBeTypeOf("string");
  expect(r.json.title.length).toBeGreaterThan(0);
  expect(r.json.status).toBe(status);
  expect(r.json.detail).toBeTypeOf("string");
  expect(r.json.detail.length).toBeGreaterThan(0);
}

/** The JSON Pointer paths of a validation problem, sorted. */
export function problemPaths(r: { json: any }): string[] {
  return ((r.json?.errors ?? []) as { path: string }[]).map((e) => e.path).sort();
}

/** The numbers of a status a conformance test compares (no clock-dependent fields). */
export function numbers(s: any) {
  return {
    capacity: s.capacity,
    occupied: s.occupied,
    available: s.available,
    occupancy_pct: s.occupancy_pct,
    level: s.level,
    data_quality: s.data_quality,
    today: s.today,
    units: (s.units ?? []).map((u: any) => ({ unit_id: u.unit_id, occupied: u.occupied, capacity: u.capacity, data_quality: u.data_quality })),
  };
}
