import { inlineStylePolicy } from "../http/security-headers.js";
import { openApiDocument } from "./openapi.js";

/**
 * The human-readable page beside openapi.json, rendered from the same document so the two
 * cannot disagree. Plain HTML: integrators read it, print it, and search it.
 */
const esc = (s: unknown) => String(s).replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]!);

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  default?: unknown;
  format?: string;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  $ref?: string;
};

function rule(s: JsonSchema): string {
  const parts: string[] = [];
  if (s.const !== undefined) parts.push(`= <code>${esc(JSON.stringify(s.const))}</code>`);
  if (s.enum) parts.push("one of " + s.enum.map((v) => `<code>${esc(v)}</code>`).join(", "));
  if (s.minimum !== undefined || s.maximum !== undefined) parts.push(`${s.minimum ?? "…"}–${s.maximum ?? "…"}`);
  if (s.minLength !== undefined || s.maxLength !== undefined) parts.push(`${s.minLength ?? 0}–${s.maxLength ?? "…"} chars`);
  if (s.pattern && s.format !== "date-time") parts.push(`pattern <code>${esc(s.pattern)}</code>`);
  if (s.format) parts.push(esc(s.format));
  if (s.default !== undefined) parts.push(`default <code>${esc(JSON.stringify(s.default))}</code>`);
  if (s.description) parts.push(esc(s.description));
  return parts.join("; ");
}

function table(name: string, s: JsonSchema): string {
  const rows = Object.entries(s.properties ?? {})
    .map(
      ([k, v]) =>
        `<tr><td><code>${esc(k)}</code>${s.required?.includes(k) ? "" : " <small>optional</small>"}</td><td>${esc(v.type ?? (v.$ref ? v.$ref.split("/").pop() : ""))}</td><td>${rule(v)}</td></tr>`,
    )
    .join("");
  return `<h3 id="${esc(name)}">${esc(name)}</h3><table><thead><tr><th>field</th><th>type</th><th>rule</th></tr></thead><tbody>${rows}</tbody></table>`;
}

// The page's one stylesheet, inline and allowed by its hash in the page's own policy, which the
// page carries in a meta tag (wherever it is served); frame-ancestors comes with every response's
// headers (SECURITY_HEADERS).
const API_PAGE_CSS = `body{font:16px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}code{background:#f1f3f5;padding:0 .25em;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}td,th{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}pre{background:#0d1117;color:#e6edf3;padding:1rem;overflow:auto;border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere}`;
const API_PAGE_POLICY = inlineStylePolicy(API_PAGE_CSS, "meta");

export function apiPageHtml(): string {
  const doc = openApiDocument();
  const schemas = doc.components.schemas as Record<string, JsonSchema>;
  const eventTables = ["CensusEvent", "AdmissionEvent", "DischargeEvent", "TreatmentEvent", "ReferralEvent"]
    .filter((n) => schemas[n])
    .map((n) => table(n, schemas[n]!))
    .join("");
  const problems = Object.entries(doc["x-problem-types"])
    .map(([uri, p]) => `<tr id="${esc(uri.split("/").pop())}"><td><code>${esc(uri)}</code></td><td>${p.status}</td><td>${esc(p.description)}</td></tr>`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="content-security-policy" content="${API_PAGE_POLICY}">
<title>carewatch Facility API v1</title>
<style>${API_PAGE_CSS}</style></head><body>
<h1>carewatch — Facility API v1</h1>
<p>${esc(doc.info.description)}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1, generated from the schemas the server validates with).</p>
<h2>Authentication</h2><p><code>Authorization: Bearer &lt;key&gt;</code>. A key belongs to one facility; an administrator creates it with <code>pnpm --silent cw keys create &lt;facility_id&gt;</code>. Missing/unknown/revoked key: 401. Other facility: 403.</p>
<h2>POST /api/v1/events</h2><p>One event, or <code>{"events": [ … ]}</code> with 1–1,000 events, <code>Content-Type: application/json</code>, body ≤ 1 MiB. A batch is all or nothing. 202 accepted (durably committed), 200 duplicate (a retry with the same body; original <code>seq</code>), 409 same <code>event_id</code> with another body.</p>
<pre>curl -X POST http://localhost:3000/api/v1/events \\
  -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \\
  -d '{"event_id":"census-0815","facility_id":"sl-drug-rehab-song-ma","type":"census","occurred_at":"2026-11-22T08:15:00+07:00","occupied":112}'</pre>
<h2>Event types</h2>${eventTables}
<h2>GET /api/v1/facilities/{facility_id}/status</h2>${schemas.FacilityStatus ? table("FacilityStatus", schemas.FacilityStatus) : ""}
<h2 id="problems">Errors (application/problem+json, RFC 9457)</h2><p>Every error carries <code>type</code>, <code>title</code>, <code>status</code>, <code>detail</code>; validation errors list <code>errors[]</code> with JSON Pointer <code>path</code>s into the body.</p>
<table><thead><tr><th>type</th><th>status</th><th>meaning</th></tr></thead><tbody>${problems}</tbody></table>
</body></html>`;
}
