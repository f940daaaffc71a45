// Object storage for encrypted audio and export bundles: one interface, two backends
// chosen by configuration (local directory, S3-compatible). Writes stream with bounded
// memory; a `put` returns only once the bytes are durable (fsync + rename locally,
// completed multipart upload on S3), which is what lets a 201 promise the recording is safe.
import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

export interface ObjectStorage {
  readonly kind: 'local' | 's3';
  /** Streams `body` to `key`; resolves when durable. Rejects (leaving nothing) if the body errors. */
  put(key: string, body: Readable): Promise<{ size: number }>;
  /** The object's bytes (or a range of them); undefined when it does not exist. */
  get(key: string, range?: ByteRange): Promise<Readable | undefined>;
  head(key: string): Promise<StoredObject | undefined>;
  delete(key: string): Promise<void>;
  /** Every object under a prefix (for the orphan sweep and account deletion). */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** A time-limited URL a client can download from directly, when the backend offers one. */
  presignedUrl?(key: string, expiresInSeconds: number, filename: string): Promise<string>;
  ping(): Promise<void>;
  /**
   * Removes what interrupted writes left behind (a process killed mid-upload), older than
   * `before`. Local storage keeps such parts in a temporary folder; S3 discards incomplete
   * multipart uploads by a bucket lifecycle rule instead (docs/production.md).
   */
  removeAbandonedParts?(before: Date): Promise<number>;
}

/** Object keys never come from user input unchecked: ids are UUIDs, names a fixed pattern. */
export function assertSafeKey(key: string): void {
  if (!/^[a-z0-9][a-z0-9/_.-]{0,400}$/i.test(key) || key.includes('..') || key.includes('//')) {
    throw new Error(`unsafe object key: ${key}`);
  }
}
