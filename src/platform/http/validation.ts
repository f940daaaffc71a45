// Request validation. Bodies are validated strictly (no type coercion: "5" is not 5, and
// unknown fields are refused where a schema says additionalProperties: false); query
// strings, params and headers arrive as strings and are coerced to the declared types.
// Unknown query parameters are dropped, not refused: a client's cache-buster (`?_=123`)
// or analytics tag must never break a read (DESIGN.md, API conventions).
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { isKeyEnvelope, isTextEnvelope } from '../crypto/envelopes.ts';

function createAjv(coerce: boolean, dropUnknown = false): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    useDefaults: true,
    // true: properties a schema closes with additionalProperties: false are removed.
    removeAdditional: dropUnknown,
    coerceTypes: coerce ? 'array' : false,
    messages: true,
  });
  return addApiFormats(ajv);
}

/** The string formats the API's schemas use (the OpenAPI examples are checked with them too). */
export function addApiFormats(ajv: Ajv): Ajv {
  addFormats.default(ajv);
  // What clients encrypt end to end: the shape is checked, never the content.
  ajv.addFormat('encrypted-text', { type: 'string', validate: isTextEnvelope });
  ajv.addFormat('key-envelope', { type: 'string', validate: isKeyEnvelope });
  return ajv;
}

export function createValidatorCompiler(
  sharedSchemas: readonly object[],
): FastifySchemaCompiler<unknown> {
  const strict = createAjv(false);
  const coercing = createAjv(true);
  const query = createAjv(true, true);
  for (const schema of sharedSchemas) {
    strict.addSchema(schema);
    coercing.addSchema(schema);
    query.addSchema(schema);
  }
  const cache = new WeakMap<object, ValidateFunction>();
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : httpPart === 'querystring' ? query : coercing;
    const key = schema as object;
    let validate = httpPart === 'body' ? cache.get(key) : undefined;
    if (!validate) {
      validate = ajv.compile(schema as AnySchema);
      if (httpPart === 'body') cache.set(key, validate);
    }
    return validate;
  };
}
