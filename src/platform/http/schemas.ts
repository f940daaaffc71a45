// Shared request/response schema pieces (TypeBox), used by every module's schemas.ts.
import type { Readable } from 'node:stream';
import Format from 'typebox/format';
import {
  ENVELOPE_OVERHEAD,
  base64Length,
  isKeyEnvelope,
  isTextEnvelope,
} from '../crypto/envelopes.ts';
import { Type, type Static, type TSchema, type TUnsafe } from 'typebox';
import { ProblemDocument } from '../errors.ts';

/** A string enum that appears as `enum` in OpenAPI (not an anyOf of consts). */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: Record<string, unknown> = {},
): TUnsafe<T[number]> => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

export const Uuid = (options: Record<string, unknown> = {}) =>
  Type.String({ format: 'uuid', ...options });

export const Timestamp = (options: Record<string, unknown> = {}) =>
  Type.String({ format: 'date-time', description: 'RFC 3339, UTC', ...options });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

// The envelope formats, for TypeBox's own checks (multipart metadata, job payloads); the
// request validator (validation.ts) registers them with Ajv. An unregistered format passes.
Format.Set('encrypted-text', isTextEnvelope);
Format.Set('key-envelope', isKeyEnvelope);

/**
 * Text a person wrote, encrypted on their device (docs/encryption.md): the server checks the
 * envelope's shape and that it holds at most `maxPlainBytes` of UTF-8, never its content.
 */
export const EncryptedText = (maxPlainBytes: number, what: string) =>
  Type.String({
    format: 'encrypted-text',
    maxLength: base64Length(ENVELOPE_OVERHEAD + maxPlainBytes),
    description:
      `${what}, encrypted end to end: a text envelope made by the SDK (docs/encryption.md), ` +
      `bound to the record's id and this field; at most ${maxPlainBytes} bytes of UTF-8 inside`,
  });

/** A 256-bit key wrapped under another key on the client (docs/encryption.md). */
export const KeyEnvelope = (description: string) =>
  Type.String({ format: 'key-envelope', maxLength: 84, description });

export const IdParams = Type.Object({ id: Uuid() }, { additionalProperties: false });

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
};

/**
 * A page of a cursor-paginated list, named in the document by `name` (e.g. JournalPage).
 * Pass `next_cursor` as `?cursor=` (or `cursor` in a filter body) for the next page; null
 * on the last one.
 */
export const Page = <T extends TSchema>(item: T, name: string) =>
  Type.Object(
    {
      items: Type.Array(item),
      next_cursor: Nullable(
        Type.String({ description: 'Opaque: send it back as cursor for the next page' }),
      ),
    },
    { $id: name, description: 'One page of a list; next_cursor is null on the last page' },
  );

/** The answer of a deletion by category (DELETE /v1/emotions, DELETE /v1/journals). */
export const DeletedCount = Type.Object(
  { deleted: Type.Integer({ minimum: 0, description: 'How many items were deleted' }) },
  { $id: 'DeletedCount' },
);

export type { Static };

/** A binary response (a stream or a buffer), documented as such in OpenAPI. */
export const Binary = Type.Unsafe<Readable | Buffer>({
  type: 'string',
  format: 'binary',
});

/** The platform's own components (the modules list theirs in their index.ts). */
export const platformComponents: readonly TSchema[] = [ProblemDocument, DeletedCount];
