import { z } from "zod";
import {
  AdmissionEventSchema,
  CensusEventSchema,
  DischargeEventSchema,
  EventBatchSchema,
  FacilityEventSchema,
  FacilityStatusSchema,
  MAX_BATCH,
  ReferralEventSchema,
  TreatmentEventSchema,
} from "@carewatch/domain";
import { PROBLEMS } from "../http/problem.js";

/**
 * The OpenAPI 3.1 document of Facility API v1, generated from the very zod schemas the ingest
 * route validates with (packages/domain/src/events.ts). OpenAPI 3.1 uses JSON Schema 2020-12,
 * which is what `z.toJSONSchema` emits, so the schemas go in unchanged.
 */
const AcceptedSchema = z.object({ status: z.enum(["accepted", "duplicate"]), event_id: z.string(), seq: z.number().int() }).meta({ id: "EventResult" });
const BatchResultSchema = z.object({ accepted: z.number().int(), duplicates: z.number().int(), results: z.array(AcceptedSchema) }).meta({ id: "BatchResult" });
const ProblemSchema = z
  .object({
    type: z.string().meta({ description: "relative URI: /problems/{name}" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string().meta({ description: "JSON Pointer into the request body" }), message: z.string() })).optional(),
  })
  .meta({ id: "Problem" });

function components() {
  const registry = z.registry<{ id: string }>();
  for (const s of [
    CensusEventSchema,
    AdmissionEventSchema,
    DischargeEventSchema,
    TreatmentEventSchema,
    ReferralEventSchema,
    FacilityEventSchema,
    EventBatchSchema,
    AcceptedSchema,
    BatchResultSchema,
    FacilityStatusSchema,
    ProblemSchema,
  ]) {
    registry.add(s, { id: (s.meta() as { id: string }).id });
  }
  const out = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io: "input" }) as { schemas: Record<string, Record<string, unknown>> };
  for (const schema of Object.values(out.schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  // Let generators pick the variant by `type` (OpenAPI's discriminator keyword; JSON Schema ignores it).
  out.schemas.FacilityEvent!.discriminator = {
    propertyName: "type",
    mapping: Object.fromEntries(
      ["census", "admission", "discharge", "treatment", "referral"].map((t) => [t, `#/components/schemas/${t[0]!.toUpperCase()}${t.slice(1)}Event`]),
    ),
  };
  return out.schemas;
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const problemResponse = (description: string) => ({ description, content: { "application/problem+json": { schema: ref("Problem") } } });

export function openApiDocument(serverUrl?: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "carewatch Facility API",
      version: "1.0.0",
      description: [
        "Facilities post events (counts, never people) to carewatch. Unknown fields are rejected (422).",
        "Numbers: occupied = latest census (by occurred_at; same instant: greater event_id) + admissions − discharges strictly after it, per unit, summed.",
        "Decisions this document adds to the contract: a retry is a duplicate when its canonical body (keys sorted, defaults applied — an omitted count equals count 1) is identical;",
        "a conflicting event in a batch (409) rejects the whole batch and lists every conflict; a referral repeating its current status is accepted and changes nothing;",
        "open referrals are those requested, accepted or transferred; occupied is never below 0, and when the running count after the census (movements in occurred_at order, those at one instant together) dips below zero the status is inconsistent until the next census;",
        "a valid key posting for another facility gets 403 (checked after validation); checks run in the order 401, 429, 415, 413, 400, 422, 403, 409.",
      ].join(" "),
    },
    servers: serverUrl ? [{ url: serverUrl }] : [],
    security: [{ bearer: [] }],
    paths: {
      "/api/v1/events": {
        post: {
          summary: "Post one event or a batch of 1–1,000 events",
          operationId: "postEvents",
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: { oneOf: [ref("FacilityEvent"), ref("EventBatch")] },
                examples: {
                  census: {
                    value: {
                      event_id: "census-2026-11-22-0815",
                      facility_id: "sl-drug-rehab-song-ma",
                      type: "census",
                      occurred_at: "2026-11-22T08:15:00+07:00",
                      occupied: 112,
                    },
                  },
                  batch: {
                    value: {
                      events: [
                        {
                          event_id: "adm-1",
                          facility_id: "sl-drug-rehab-song-ma",
                          type: "admission",
                          occurred_at: "2026-11-22T08:20:00+07:00",
                          count: 2,
                          cohort: "voluntary",
                        },
                      ],
                    },
                  },
                },
              },
            },
          },
          responses: {
            "200": {
              description: "A retry of an event already stored (same event_id, same body): its original seq; nothing changed.",
              content: { "application/json": { schema: ref("EventResult") } },
            },
            "202": {
              description: `Accepted and durably committed (survives the server being killed right after this response). A batch (max ${MAX_BATCH}) answers with BatchResult in request order.`,
              content: { "application/json": { schema: { oneOf: [ref("EventResult"), ref("BatchResult")] } } },
            },
            ...Object.fromEntries(
              (
                [
                  "malformed-json",
                  "unauthorized",
                  "forbidden",
                  "conflict",
                  "body-too-large",
                  "unsupported-media-type",
                  "validation",
                  "rate-limited",
                  "unavailable",
                ] as const
              ).map((k) => [String(PROBLEMS[k].status), problemResponse(PROBLEMS[k].doc)]),
            ),
          },
        },
      },
      "/api/v1/facilities/{facility_id}/status": {
        get: {
          summary: "Current status of the key's own facility",
          operationId: "getFacilityStatus",
          parameters: [{ name: "facility_id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": { description: "Status", content: { "application/json": { schema: ref("FacilityStatus") } } },
            "401": problemResponse(PROBLEMS.unauthorized.doc),
            "403": problemResponse(PROBLEMS.forbidden.doc),
          },
        },
      },
      "/healthz": { get: { summary: "Process alive", security: [], responses: { "200": { description: "alive" } } } },
      "/readyz": {
        get: {
          summary: "Database open and migrations applied",
          security: [],
          responses: { "200": { description: "ready" }, "503": { description: "not ready" } },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A facility key from `pnpm --silent cw keys create <facility_id>`" } },
      schemas: components(),
    },
    "x-problem-types": Object.fromEntries(
      Object.entries(PROBLEMS).map(([k, p]) => [`/problems/${k}`, { status: p.status, title: p.title, description: p.doc }]),
    ),
  };
}
