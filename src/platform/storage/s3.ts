// S3-compatible storage (AWS S3, MinIO, Ceph, s3rver in tests). Uploads stream as
// multipart (lib-storage) with bounded memory; bucket, region, endpoint and path-style
// addressing are configurable so any S3-compatible service works.
import { PassThrough, type Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { assertSafeKey, type ObjectStorage } from './storage.ts';

export interface S3Settings {
  bucket: string;
  region: string;
  endpoint?: string | undefined;
  forcePathStyle: boolean;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  serverSideEncryption?: ServerSideEncryption | undefined;
}

const PART_SIZE = 8 * 1024 * 1024;

const isNotFound = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
};

export function createS3Storage(settings: S3Settings): ObjectStorage {
  const client = new S3Client({
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.accessKeyId && settings.secretAccessKey
      ? {
          credentials: {
            accessKeyId: settings.accessKeyId,
            secretAccessKey: settings.secretAccessKey,
          },
        }
      : {}),
    maxAttempts: 1, // retries are the resilience layer's decision, not the SDK's
  });
  const Bucket = settings.bucket;

  return {
    kind: 's3',
    async put(key, body) {
      assertSafeKey(key);
      let size = 0;
      // lib-storage accepts core streams only; other stream implementations pass through one.
      const counted = body.pipe(new PassThrough());
      counted.on('data', (chunk: Buffer) => {
        size += chunk.length;
      });
      body.on('error', (error) => counted.destroy(error));
      // Four parts in flight at most: memory stays bounded whatever the object's size.
      const upload = new Upload({
        client,
        params: {
          Bucket,
          Key: key,
          Body: counted,
          ContentType: 'application/octet-stream',
          ...(settings.serverSideEncryption
            ? { ServerSideEncryption: settings.serverSideEncryption }
            : {}),
        },
        partSize: PART_SIZE,
        queueSize: 4,
        leavePartsOnError: false,
      });
      await upload.done();
      return { size };
    },
    async get(key, range) {
      assertSafeKey(key);
      try {
        const response = await client.send(
          new GetObjectCommand({
            Bucket,
            Key: key,
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
        );
        return response.Body as Readable | undefined;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async head(key) {
      assertSafeKey(key);
      try {
        const response = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return {
          key,
          size: response.ContentLength ?? 0,
          lastModified: response.LastModified ?? new Date(0),
        };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async delete(key) {
      assertSafeKey(key);
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },
    async *list(prefix) {
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const item of page.Contents ?? []) {
          if (item.Key)
            yield {
              key: item.Key,
              size: item.Size ?? 0,
              lastModified: item.LastModified ?? new Date(0),
            };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
    async presignedUrl(key, expiresInSeconds, filename) {
      assertSafeKey(key);
      return getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket,
          Key: key,
          ResponseContentDisposition: `attachment; filename="${filename}"`,
        }),
        { expiresIn: expiresInSeconds },
      );
    },
    async ping() {
      await client.send(new HeadBucketCommand({ Bucket }));
    },
  };
}
