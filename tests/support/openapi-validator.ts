import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS: under ESM its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

export interface SchemaError {
  path: string;
  message: string;
}

/**
 * Validates values against the components of the published OpenAPI 3.1 document with Ajv
 * (JSON Schema 2020-12, which OpenAPI 3.1 uses), so the document is checked by an independent
 * implementation, not by the zod schemas it was generated from. `discriminator` is OpenAPI's
 * own annotation; strict mode is off so Ajv ignores it.
 */
export function createValidator(doc: { components?: { schemas?: Record<string, unknown> } }) {
  const id = "https://carewatch.invalid/openapi.json";
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: id, components: doc.components }, id);
  const compiled = new Map<string, ReturnType<Ajv2020["compile"]>>();
  return {
    /** Errors of `value` against components.schemas[name] (empty when valid). */
    check(name: string, value: unknown): SchemaError[] {
      let validate = compiled.get(name);
      if (!validate) compiled.set(name, (validate = ajv.compile({ $ref: `${id}#/components/schemas/${name}` })));
      return validate(value) ? [] : (validate.errors ?? []).map((e) => ({ path: e.instancePath, message: e.message ?? e.keyword }));
    },
  };
}
