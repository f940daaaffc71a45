// The API's OpenAPI document as the tests read it: built by the app (the same code the
// `openapi` command runs), walked operation by operation.
import type { OpenAPIV3_1 } from 'openapi-types';
import { createTestApp } from './app.ts';

export type OpenApiDocument = OpenAPIV3_1.Document;
export type Operation = OpenAPIV3_1.OperationObject;

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

export interface DocumentedOperation {
  path: string;
  method: (typeof HTTP_METHODS)[number];
  operation: Operation;
}

/** The document of the whole API (every module mounted), from an app built for the test. */
export async function buildApiDocument(): Promise<OpenApiDocument> {
  const t = await createTestApp();
  try {
    // A deep copy: the tests may not change what the app serves.
    return structuredClone(t.app.swagger()) as unknown as OpenApiDocument;
  } finally {
    await t.close();
  }
}

export function operationsOf(document: OpenApiDocument): DocumentedOperation[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const operation = item?.[method];
      return operation ? [{ path, method, operation }] : [];
    }),
  );
}

/** A response, or the shared one it references (components.responses). */
export function responseOf(
  document: OpenApiDocument,
  response: OpenAPIV3_1.ResponseObject | OpenAPIV3_1.ReferenceObject,
): OpenAPIV3_1.ResponseObject {
  if (!('$ref' in response)) return response;
  const name = response.$ref.replace('#/components/responses/', '');
  const shared = document.components?.responses?.[name];
  if (!shared || '$ref' in shared) throw new Error(`unknown response ${response.$ref}`);
  return shared;
}

/** A request body, or undefined (the API names no shared request bodies). */
export function requestBodyOf(operation: Operation): OpenAPIV3_1.RequestBodyObject | undefined {
  const body = operation.requestBody;
  if (body && '$ref' in body) throw new Error(`unexpected shared request body ${body.$ref}`);
  return body;
}
