// What a route documents beyond its schemas, for the OpenAPI document only: never used to
// validate, parse or buffer a request. Request headers the handler reads itself (so their
// errors stay the handler's own), the examples of a JSON body (the body schema stays the
// TypeBox schema that types the handler), and bodies the handler reads as a stream
// (multipart uploads), which a route schema cannot describe without Fastify validating them.
import type { OpenAPIV3_1 } from 'openapi-types';
import type { Static, TSchema } from 'typebox';
import type { RequestHeaderName } from './headers.ts';

/** A named example of a value of type T (an OpenAPI Example Object). */
export interface Example<T> {
  summary: string;
  description?: string;
  value: T;
}
export type Examples<T> = Record<string, Example<T>>;

export interface OperationDocs {
  /** Request headers the handler reads (from the document's reusable parameters). */
  requestHeaders?: readonly RequestHeaderName[];
  /** Examples of the JSON request body. */
  bodyExamples?: Examples<unknown>;
  /** A body the handler reads as a stream: described here only. */
  requestBody?: OpenAPIV3_1.RequestBodyObject;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Documentation only: merged into this route's OpenAPI operation (openapi/document.ts). */
    openapi?: OperationDocs;
  }
}

/** Examples of a JSON body, checked by the compiler against the body's schema. */
export const bodyExamples = <T extends TSchema>(
  _schema: T,
  examples: Examples<Static<T>>,
): Examples<unknown> => examples;

/** A reference to a component schema (one with an `$id`), in the document's own terms. */
export function componentRef(schema: TSchema): OpenAPIV3_1.ReferenceObject {
  const name = (schema as { $id?: unknown }).$id;
  if (typeof name !== 'string') throw new Error('componentRef needs a schema with an $id');
  return { $ref: `#/components/schemas/${name}` };
}

export interface MultipartPart {
  schema: OpenAPIV3_1.SchemaObject | OpenAPIV3_1.ReferenceObject;
  /** The part's own Content-Type. */
  contentType: string;
}

/** A multipart/form-data body whose parts come in the order given, each of its own type. */
export function multipartBody(options: {
  description: string;
  parts: Record<string, MultipartPart>;
  examples?: Examples<Record<string, unknown>>;
}): OpenAPIV3_1.RequestBodyObject {
  const names = Object.keys(options.parts);
  return {
    description: options.description,
    required: true,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: names,
          properties: Object.fromEntries(names.map((name) => [name, options.parts[name]!.schema])),
        },
        encoding: Object.fromEntries(
          names.map((name) => [name, { contentType: options.parts[name]!.contentType }]),
        ),
        ...(options.examples ? { examples: options.examples } : {}),
      },
    },
  };
}

/** A binary part or body: bytes of the given media type (OpenAPI 3.1 and 3.0 tools alike). */
export const binarySchema = (
  contentMediaType: string,
  description: string,
): OpenAPIV3_1.SchemaObject => ({
  type: 'string',
  format: 'binary',
  contentMediaType,
  description,
});
