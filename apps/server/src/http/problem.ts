import type { Context } from "hono";
import type { FieldProblem } from "@carewatch/domain";

/**
 * RFC 9457 problem details. Every error the API returns is one of these kinds; each `type` is
 * a relative URI documented at /problems/{name} and in the OpenAPI document.
 */
export const PROBLEMS = {
  "malformed-json": { status: 400, title: "Malformed JSON", doc: "The body is not valid JSON." },
  unauthorized: {
    status: 401,
    title: "Unauthorized",
    doc: "The Authorization header is missing, or the key is unknown or revoked. Send `Authorization: Bearer <key>`.",
  },
  forbidden: { status: 403, title: "Forbidden", doc: "The key is valid but belongs to another facility. A key may post and read its own facility only." },
  "not-found": { status: 404, title: "Not found", doc: "No such resource." },
  conflict: {
    status: 409,
    title: "Conflict",
    doc: "An event_id was already used with a different body, or a referral would move backwards or after it ended. Nothing in the request was stored.",
  },
  "body-too-large": { status: 413, title: "Body too large", doc: "The body exceeds 1 MiB. Split the batch." },
  "unsupported-media-type": { status: 415, title: "Unsupported media type", doc: "Send `Content-Type: application/json`." },
  validation: {
    status: 422,
    title: "Validation failed",
    doc: "The body is JSON but breaks the contract. `errors` lists every problem with a JSON Pointer path into the body. Nothing was stored.",
  },
  "rate-limited": { status: 429, title: "Too many requests", doc: "The key exceeded its rate limit. Wait for `Retry-After` seconds." },
  unavailable: {
    status: 503,
    title: "Service unavailable",
    doc: "The server is starting, stopping or its database is busy. Retry after `Retry-After` seconds; nothing was stored.",
  },
  internal: { status: 500, title: "Internal error", doc: "A fault in carewatch itself, never in what you sent. It is logged with the request id." },
} as const;

export type ProblemKind = keyof typeof PROBLEMS;

/**
 * The problem kind a name (from a URL) names, or null. Own keys only: PROBLEMS is a plain object,
 * so a bare lookup would find "constructor", "__proto__" or "toString" on its prototype.
 */
export function problemKind(name: string): ProblemKind | null {
  return Object.hasOwn(PROBLEMS, name) ? (name as ProblemKind) : null;
}

export interface ProblemExtras {
  detail?: string;
  errors?: FieldProblem[];
  headers?: Record<string, string>;
}

export function problemBody(kind: ProblemKind, detail?: string, errors?: FieldProblem[]) {
  const p = PROBLEMS[kind];
  return {
    type: `/problems/${kind}`,
    title: p.title,
    status: p.status,
    detail: detail ?? p.doc,
    ...(errors ? { errors } : {}),
  };
}

export function problem(c: Context, kind: ProblemKind, extras: ProblemExtras = {}): Response {
  const body = problemBody(kind, extras.detail, extras.errors);
  const requestId = c.get("requestId" as never) as string | undefined;
  return new Response(JSON.stringify(requestId ? { ...body, instance: `urn:request:${requestId}` } : body), {
    status: body.status,
    headers: { "content-type": "application/problem+json; charset=utf-8", ...(extras.headers ?? {}) },
  });
}
