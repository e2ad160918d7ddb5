/**
 * A small JSON Schema (2020-12) validator for the keywords the OpenAPI document uses. No JSON
 * Schema library is installed in the workspace, and the conformance suite must check the
 * published document against the real server, so this implements the subset strictly: an
 * assertion keyword it does not know is an error (never silently ignored).
 */
type Schema = Record<string, any> | boolean;

const ANNOTATIONS = new Set(["description", "title", "default", "format", "discriminator", "examples", "example", "$schema", "$id", "readOnly", "writeOnly", "deprecated", "$comment", "id"]);
const ASSERTIONS = new Set([
  "$ref",
  "type",
  "const",
  "enum",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "items",
  "minItems",
  "maxItems",
  "oneOf",
  "anyOf",
  "allOf",
  "not",
]);

export interface SchemaError {
  path: string;
  message: string;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function createValidator(root: { components?: { schemas?: Record<string, Schema> } }) {
  const resolve = (ref: string): Schema => {
    const m = /^#\/components\/schemas\/(.+)$/.exec(ref);
    const s = m ? root.components?.schemas?.[m[1]!] : undefined;
    if (s === undefined) throw new Error(`unresolvable $ref ${ref}`);
    return s;
  };

  function validate(schema: Schema, value: unknown, path = ""): SchemaError[] {
    if (schema === true) return [];
    if (schema === false) return [{ path, message: "no value is allowed" }];
    for (const k of Object.keys(schema)) {
      if (!ASSERTIONS.has(k) && !ANNOTATIONS.has(k)) throw new Error(`json-schema-lite: unsupported keyword "${k}" at ${path || "/"}`);
    }
    const errors: SchemaError[] = [];
    const err = (message: string, p = path) => errors.push({ path: p, message });
    const s = schema;

    if (s.$ref) errors.push(...validate(resolve(s.$ref), value, path));
    if (s.type !== undefined) {
      const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
      const t = typeOf(value);
      if (!types.some((x) => x === t || (x === "number" && t === "integer"))) err(`expected ${types.join("|")}, got ${t}`);
    }
    if ("const" in s && !deepEqual(s.const, value)) err(`expected const ${JSON.stringify(s.const)}`);
    if (s.enum && !s.enum.some((e: unknown) => deepEqual(e, value))) err(`not in enum`);

    if (typeof value === "string") {
      const len = [...value].length;
      if (s.minLength !== undefined && len < s.minLength) err(`shorter than ${s.minLength}`);
      if (s.maxLength !== undefined && len > s.maxLength) err(`longer than ${s.maxLength}`);
      if (s.pattern !== undefined && !new RegExp(s.pattern, "u").test(value)) err(`does not match ${s.pattern}`);
    }
    if (typeof value === "number") {
      if (s.minimum !== undefined && value < s.minimum) err(`below ${s.minimum}`);
      if (s.maximum !== undefined && value > s.maximum) err(`above ${s.maximum}`);
      if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) err(`not above ${s.exclusiveMinimum}`);
      if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) err(`not below ${s.exclusiveMaximum}`);
    }
    if (Array.isArray(value)) {
      if (s.minItems !== undefined && value.length < s.minItems) err(`fewer than ${s.minItems} items`);
      if (s.maxItems !== undefined && value.length > s.maxItems) err(`more than ${s.maxItems} items`);
      if (s.items !== undefined) value.forEach((v, i) => errors.push(...validate(s.items, v, `${path}/${i}`)));
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const obj = value as Record<string, unknown>;
      for (const r of s.required ?? []) if (!(r in obj)) err(`missing required ${r}`, `${path}/${r}`);
      const props: Record<string, Schema> = s.properties ?? {};
      for (const [k, v] of Object.entries(obj)) {
        if (k in props) errors.push(...validate(props[k]!, v, `${path}/${k}`));
        else if (s.additionalProperties !== undefined) errors.push(...validate(s.additionalProperties, v, `${path}/${k}`).map((e) => (s.additionalProperties === false ? { ...e, message: "unknown property" } : e)));
        if (s.propertyNames !== undefined) errors.push(...validate(s.propertyNames, k, `${path}/${k}`));
      }
    }
    if (s.allOf) for (const sub of s.allOf) errors.push(...validate(sub, value, path));
    if (s.anyOf && !s.anyOf.some((sub: Schema) => validate(sub, value, path).length === 0)) err("matches no anyOf branch");
    if (s.oneOf) {
      const n = s.oneOf.filter((sub: Schema) => validate(sub, value, path).length === 0).length;
      if (n !== 1) err(`matches ${n} oneOf branches (exactly 1 required)`);
    }
    if (s.not !== undefined && validate(s.not, value, path).length === 0) err("matches a `not` schema");
    return errors;
  }

  return {
    /** Errors of `value` against components.schemas[name] (empty when valid). */
    check(name: string, value: unknown): SchemaError[] {
      return validate({ $ref: `#/components/schemas/${name}` }, value);
    },
    validate,
  };
}
