// The journals module's refusals (problem documents with a pointer when a field is at
// fault) and its rule for storage failures: a 503 that tells the client to come back.
import { AppError, serviceUnavailable } from '../../platform/errors.ts';
import { LimitExceeded } from './upload/inspection.ts';

export const reject = (
  status: number,
  code: string,
  title: string,
  detail: string,
  pointer?: string,
) =>
  new AppError(status, code, title, {
    detail,
    ...(pointer ? { errors: [{ pointer, message: detail }] } : {}),
  });

export const quotaExceeded = () =>
  reject(
    413,
    'storage-quota-exceeded',
    'Storage quota exceeded',
    'This recording does not fit in your storage quota',
  );

/** Storage errors become a 503 that tells the client to come back; the rest is unchanged. */
export async function storageCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError || error instanceof LimitExceeded) throw error;
    throw serviceUnavailable('audio storage', 10, error);
  }
}
