// The storage quota, held before the bytes arrive. An upload reserves room (a row in
// journal_upload_reservations) in a short transaction that serialises per user and checks
// stored + live reservations + asked <= quota; the bytes then stream with no transaction
// open, and the room grows, under the same check, when the stream goes past it. On success
// the journal's insert transaction replaces the reservation with the journal's row; on
// failure it is deleted; a process killed mid-upload leaves one that stops counting once it
// expires (renewed while bytes flow) and is deleted by the orphan sweep.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../../platform/clock.ts';
import type { Database, Tx } from '../../../platform/db/database.ts';
import type { QuotaAllowance } from './inspection.ts';
import * as repo from '../repository.ts';

/** How long a reservation counts without being renewed. */
export const RESERVATION_TTL_MS = 10 * 60 * 1000;
/** Renewed once less than this much of its lifetime is left (bytes still flowing). */
const RENEW_BEFORE_MS = RESERVATION_TTL_MS / 2;
/** What an upload without a Content-Length reserves first; each growth then doubles it. */
export const FIRST_STEP_BYTES = 1024 * 1024;

export interface ReservationLimits {
  quotaBytes: number;
  maxUploadBytes: number;
}

export interface UploadReservation extends QuotaAllowance {
  readonly id: string;
  /** Bytes held now. */
  readonly bytes: number;
  /**
   * In the journal's insert transaction: gives the reservation up for the journal row of
   * `bytes`. If it had expired (and so stopped counting), checks the quota again; false
   * when the recording no longer fits.
   */
  settle(tx: Tx, bytes: number): Promise<boolean>;
  /** The upload failed: the room goes back (best effort; otherwise it expires). */
  release(): Promise<void>;
}

export function createQuotaReservations(deps: { db: Database; clock: Clock; log: Logger }) {
  const { db, clock } = deps;

  /**
   * Reserves `want` bytes (at least `need`, at most what is free) for a new or existing
   * reservation; the number of bytes held, or undefined when fewer than `need` are free.
   */
  async function hold(
    userId: string,
    id: string,
    want: number,
    need: number,
    quotaBytes: number,
  ): Promise<{ bytes: number; expiresAt: Date } | undefined> {
    const now = clock.now();
    return db.asUser(userId, async (tx) => {
      await repo.lockQuota(tx, userId);
      const free = quotaBytes - (await repo.quotaInUse(tx, userId, now, id));
      if (free < need) return undefined;
      const bytes = Math.min(want, free);
      const expiresAt = new Date(now.getTime() + RESERVATION_TTL_MS);
      await repo.putReservation(tx, { id, userId, bytes, expiresAt, createdAt: now });
      return { bytes, expiresAt };
    });
  }

  /**
   * Takes room for a new upload: what the request declared (its Content-Length, capped at
   * the largest recording), or a first step when it declared nothing; less if less is
   * free. Undefined when the quota is already full. A replacement counts the recording it
   * replaces as free room: both are stored only until its transaction commits.
   */
  async function reserve(
    userId: string,
    { maxUploadBytes, ...given }: ReservationLimits,
    declaredBytes: number | undefined,
    /** Bytes the upload will free once it succeeds (the recording it replaces). */
    creditBytes = 0,
  ): Promise<UploadReservation | undefined> {
    const limits = { maxUploadBytes, quotaBytes: given.quotaBytes + creditBytes };
    const id = randomUUID();
    const first = Math.min(declaredBytes ?? FIRST_STEP_BYTES, limits.maxUploadBytes);
    const held = await hold(userId, id, Math.max(first, 1), 1, limits.quotaBytes);
    if (!held) return undefined;
    let { bytes, expiresAt } = held;
    return {
      id,
      get bytes() {
        return bytes;
      },
      covers: (total) =>
        total <= bytes && expiresAt.getTime() - clock.now().getTime() > RENEW_BEFORE_MS,
      async extend(total) {
        // Past the room: double it (few transactions for a long recording); within the
        // room, the same size again for a fresh lifetime.
        const want =
          total > bytes ? Math.min(Math.max(total, bytes * 2), limits.maxUploadBytes) : bytes;
        const grown = await hold(userId, id, want, total, limits.quotaBytes);
        if (!grown) return false;
        ({ bytes, expiresAt } = grown);
        return true;
      },
      async settle(tx, stored) {
        const now = clock.now();
        await repo.lockQuota(tx, userId);
        const given = await repo.deleteReservation(tx, userId, id);
        if (given && given.expiresAt > now) return true;
        // It stopped counting meanwhile: someone else may have taken the room.
        return (await repo.quotaInUse(tx, userId, now)) + stored <= limits.quotaBytes;
      },
      async release() {
        await db
          .asUser(userId, (tx) => repo.deleteReservation(tx, userId, id))
          .catch((error: unknown) =>
            deps.log.warn({ err: error }, 'upload reservation not released; it will expire'),
          );
      },
    };
  }

  return { reserve };
}

export type QuotaReservations = ReturnType<typeof createQuotaReservations>;
