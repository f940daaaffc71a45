// The signed-in user's own account: profile, devices, key envelopes, audit trail and
// deletion.
import type { Database, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AuthContext } from '../../platform/auth/guard.ts';
import { conflict, notFound, unprocessable } from '../../platform/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import type { AccountDeletion } from '../../platform/account-deletion.ts';
import * as repo from './repository.ts';
import * as sessionsRepo from './sessions.repository.ts';
import * as pushRepo from './push-tokens.repository.ts';
import { toDeviceDto, toSecurityEventDto, toUserDto } from './dto.ts';
import type { RevocationStore } from './revocations.ts';
import type { RequestMeta } from './service.ts';
import { assertTimeZone, type AuthService } from './service.ts';
import type { DeviceDto, PushTokenInput, UpdateMeInput, UserDto } from './schemas.ts';

export interface UsersServiceDeps {
  db: Database;
  clock: Clock;
  auth: AuthService;
  revocations: RevocationStore;
  deletion: AccountDeletion;
}

const MAX_ENVELOPES = 10;
/** Changed only together with the password (change-password, reset-password-confirm). */
const PASSWORD_LABEL = 'password';
const MAX_JSON_BYTES = 16 * 1024;

export function createUsersService(deps: UsersServiceDeps) {
  const { db, clock } = deps;

  const audit = (
    tx: Tx,
    userId: string,
    type: string,
    meta: RequestMeta,
    metadata: Record<string, unknown> = {},
  ) =>
    repo.insertSecurityEvent(tx, {
      userId,
      type,
      ip: meta.ip,
      userAgent: meta.userAgent,
      metadata,
      createdAt: clock.now(),
    });

  async function me(tx: Tx, userId: string): Promise<UserDto> {
    const row = await repo.findUserById(tx, userId);
    if (!row) throw notFound('user');
    return toUserDto(row);
  }

  async function listKeyEnvelopes(caller: AuthContext) {
    const rows = await db.asUser(caller.userId, (tx) => repo.listEnvelopes(tx, caller.userId));
    return rows.map((r) => ({
      label: r.label,
      envelope: r.envelope,
      updated_at: r.updatedAt.toISOString(),
    }));
  }

  return {
    getMe: (caller: AuthContext) => db.asUser(caller.userId, (tx) => me(tx, caller.userId)),

    async updateMe(caller: AuthContext, input: UpdateMeInput): Promise<UserDto> {
      if (input.time_zone !== undefined) assertTimeZone(input.time_zone, '#/body/time_zone');
      for (const field of ['preferences', 'settings'] as const) {
        const value = input[field];
        if (value && Buffer.byteLength(JSON.stringify(value)) > MAX_JSON_BYTES) {
          throw unprocessable('too-large', `${field} is larger than 16 KiB`, [
            { pointer: `#/body/${field}`, message: 'too large' },
          ]);
        }
      }
      const now = clock.now();
      return db.asUser(caller.userId, async (tx) => {
        await repo.updateUserFields(
          tx,
          caller.userId,
          {
            ...(input.language_preference ? { languagePreference: input.language_preference } : {}),
            ...(input.time_zone ? { timeZone: input.time_zone } : {}),
          },
          now,
        );
        await repo.updateProfile(
          tx,
          caller.userId,
          {
            ...(input.display_name !== undefined ? { displayName: input.display_name } : {}),
            ...(input.preferences ? { preferences: input.preferences } : {}),
            ...(input.settings ? { settings: input.settings } : {}),
          },
          now,
        );
        return me(tx, caller.userId);
      });
    },

    async listDevices(caller: AuthContext) {
      const rows = await db.asUser(caller.userId, (tx) => repo.listDevices(tx, caller.userId));
      return rows.map(toDeviceDto);
    },

    async deleteDevice(caller: AuthContext, id: string, meta: RequestMeta): Promise<void> {
      const now = clock.now();
      const revoked = await db.asUser(caller.userId, async (tx) => {
        // Signing a device out is part of forgetting it.
        const ids = await sessionsRepo.revokeSessions(
          tx,
          caller.userId,
          { deviceRef: id },
          'device_removed',
          now,
        );
        if (!(await repo.deleteDevice(tx, caller.userId, id))) return undefined;
        await audit(tx, caller.userId, 'device_removed', meta, {
          device: id,
          sessions_revoked: ids.length,
        });
        return ids;
      });
      if (!revoked) throw notFound('device');
      await deps.revocations.revoke(revoked);
    },

    /** Registers the device's push token (the device signed in before, with its id). */
    async setPushToken(
      caller: AuthContext,
      deviceId: string,
      input: PushTokenInput,
    ): Promise<DeviceDto> {
      const row = await db.asUser(caller.userId, (tx) =>
        pushRepo.setPushToken(tx, caller.userId, deviceId, input.push_token, input.platform),
      );
      if (!row) throw notFound('device');
      await db.asSystem((tx) => pushRepo.clearTokenElsewhere(tx, input.push_token, row.id));
      return toDeviceDto(row);
    },

    async clearPushToken(caller: AuthContext, deviceId: string): Promise<void> {
      const found = await db.asUser(caller.userId, (tx) =>
        pushRepo.clearPushTokenOfDevice(tx, caller.userId, deviceId),
      );
      if (!found) throw notFound('device');
    },

    listKeyEnvelopes,

    async putKeyEnvelopes(
      caller: AuthContext,
      envelopes: { label: string; envelope: string }[],
      meta: RequestMeta,
    ) {
      const labels = envelopes.map((e) => e.label);
      if (new Set(labels).size !== labels.length) {
        throw unprocessable('duplicate-label', 'Each label may appear once', [
          { pointer: '#/body/envelopes', message: 'duplicate label' },
        ]);
      }
      const now = clock.now();
      await db.asUser(caller.userId, async (tx) => {
        const existing = await repo.listEnvelopes(tx, caller.userId);
        const existingLabels = new Set(existing.map((e) => e.label));
        if (labels.includes(PASSWORD_LABEL) && existingLabels.has(PASSWORD_LABEL)) {
          throw conflict(
            'password-envelope-locked',
            'The password envelope changes only with the password (POST /v1/auth/change-password)',
          );
        }
        const total = new Set([...existingLabels, ...labels]).size;
        if (total > MAX_ENVELOPES) {
          throw unprocessable(
            'too-many-envelopes',
            `At most ${MAX_ENVELOPES} key envelopes per account`,
          );
        }
        for (const { label, envelope } of envelopes)
          await repo.upsertEnvelope(tx, caller.userId, label, envelope, now);
        await audit(tx, caller.userId, 'key_envelopes_updated', meta, { labels });
      });
      return listKeyEnvelopes(caller);
    },

    async listSecurityEvents(caller: AuthContext, limit: number, cursor: string | undefined) {
      const after = decodeCursor(cursor, ['timestamp', 'uuid']) as [string, string] | undefined;
      const rows = await db.asUser(caller.userId, (tx) =>
        repo.listSecurityEvents(tx, caller.userId, limit, after),
      );
      return pageOf(rows, limit, toSecurityEventDto, (r) => [r.createdAt.toISOString(), r.id]);
    },

    async deleteAccount(caller: AuthContext, password: string, meta: RequestMeta): Promise<void> {
      await deps.auth.verifyPassword(caller, password, meta, '#/body/password');
      const now = clock.now();
      const { sessionIds, afterCommit } = await db.asUser(caller.userId, async (tx) => {
        const sessionIds = await sessionsRepo.revokeSessions(
          tx,
          caller.userId,
          {},
          'account_deleted',
          now,
        );
        const afterCommit = await deps.deletion.run(tx, caller.userId);
        await repo.deleteUser(tx, caller.userId);
        return { sessionIds, afterCommit };
      });
      // Stored objects go once no row points at them; a failure here leaves orphans the sweep removes.
      for (const work of afterCommit) await work().catch(() => {});
      await db.asSystem((tx) =>
        // Kept without the user id: the account is gone, the fact that it was deleted is not.
        repo.insertSecurityEvent(tx, {
          userId: null,
          type: 'account_deleted',
          ip: meta.ip,
          userAgent: meta.userAgent,
          metadata: {},
          createdAt: now,
        }),
      );
      await deps.revocations.revoke([...sessionIds, caller.sessionId]);
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
