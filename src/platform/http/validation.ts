// Request validation. Bodies are validated strictly (no type coercion: "5" is not 5, and
// unknown fields are refused where a schema says additionalProperties: false); query
// strings, params and headers arrive as strings and are coerced to the declared types.
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function createAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    useDefaults: true,
    removeAdditional: false,
    coerceTypes: coerce ? 'array' : false,
    messages: true,
  });
  addFormats.default(ajv);
  return ajv;
}

export function createValidatorCompiler(sharedSchemas: object[]): FastifySchemaCompiler<unknown> {
  const strict = createAjv(false);
  const coercing = createAjv(true);
  for (const schema of sharedSchemas) {
    strict.addSchema(schema);
    coercing.addSchema(schema);
  }
  const cache = new WeakMap<object, ValidateFunction>();
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    const key = schema as object;
    let validate = httpPart === 'body' ? cache.get(key) : undefined;
    if (!validate) {
      validate = ajv.compile(schema as AnySchema);
      if (httpPart === 'body') cache.set(key, validate);
    }
    return validate;
  };
}
