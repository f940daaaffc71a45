// The inbox and preferences API of /v1/notifications.
import type { AuthContext } from '../../platform/auth/guard.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { notFound, unprocessable } from '../../platform/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { merge, toPreferencesDto, toPreferencesRow } from './preferences.ts';
import * as repo from './repository.ts';
import type {
  InboxQueryInput,
  NotificationDto,
  PreferencesDto,
  PutPreferencesInput,
} from './schemas.ts';

export function toNotificationDto(row: repo.NotificationRow): NotificationDto {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    data: row.data,
    created_at: row.createdAt.toISOString(),
    read_at: row.readAt ? row.readAt.toISOString() : null,
  };
}

export function createNotificationsService(deps: { db: Database; clock: Clock }) {
  const { db, clock } = deps;
  return {
    async preferences(caller: AuthContext): Promise<PreferencesDto> {
      const row = await db.asUser(caller.userId, (tx) => repo.findPreferences(tx, caller.userId));
      return toPreferencesDto(row);
    },

    async updatePreferences(
      caller: AuthContext,
      input: PutPreferencesInput,
    ): Promise<PreferencesDto> {
      if (input.quiet_hours && input.quiet_hours.start === input.quiet_hours.end) {
        throw unprocessable(
          'invalid-quiet-hours',
          'Quiet hours must start and end at different times',
          [{ pointer: '#/body/quiet_hours/end', message: 'must differ from start' }],
        );
      }
      return db.asUser(caller.userId, async (tx) => {
        const current = toPreferencesDto(await repo.findPreferences(tx, caller.userId));
        const next = merge(current, input);
        await repo.savePreferences(tx, toPreferencesRow(caller.userId, next, clock.now()));
        return toPreferencesDto(await repo.findPreferences(tx, caller.userId));
      });
    },

    async list(caller: AuthContext, query: InboxQueryInput) {
      const limit = query.limit ?? 20;
      const order = query.order ?? 'recent';
      const cursor = decodeCursor(query.cursor, ['integer', 'timestamp', 'uuid']) as
        [number, string, string] | undefined;
      const rows = await db.asUser(caller.userId, (tx) =>
        repo.listInbox(
          tx,
          caller.userId,
          order,
          limit,
          cursor ? { unread: cursor[0], createdAt: new Date(cursor[1]), id: cursor[2] } : undefined,
        ),
      );
      return pageOf(rows, limit, toNotificationDto, (r) => [
        r.readAt ? 0 : 1,
        r.createdAt.toISOString(),
        r.id,
      ]);
    },

    async unreadCount(caller: AuthContext) {
      const count = await db.asUser(caller.userId, (tx) => repo.unreadCount(tx, caller.userId));
      return { count };
    },

    async markRead(caller: AuthContext, id: string): Promise<NotificationDto> {
      const row = await db.asUser(caller.userId, (tx) =>
        repo.markRead(tx, caller.userId, id, clock.now()),
      );
      if (!row) throw notFound('notification');
      return toNotificationDto(row);
    },

    async markAllRead(caller: AuthContext) {
      const updated = await db.asUser(caller.userId, (tx) =>
        repo.markAllRead(tx, caller.userId, clock.now()),
      );
      return { updated };
    },

    async remove(caller: AuthContext, id: string): Promise<void> {
      const deleted = await db.asUser(caller.userId, (tx) =>
        repo.deleteNotification(tx, caller.userId, id),
      );
      if (!deleted) throw notFound('notification');
    },
  };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;
