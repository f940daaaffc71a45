// HTTP routes of /v1/notifications.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../platform/auth/guard.ts';
import { errorResponses, IdParams } from '../../platform/http/schemas.ts';
import type { NotificationsService } from './service.ts';
import {
  InboxQuery,
  Notification,
  NotificationPage,
  Preferences,
  PutPreferencesBody,
  ReadAllResult,
  UnreadCount,
} from './schemas.ts';

const tags = ['notifications'];

export const notificationsRoutes: FastifyPluginAsyncTypebox<{
  service: NotificationsService;
}> = async (app, { service }) => {
  app.get(
    '/preferences',
    {
      schema: {
        operationId: 'getNotificationPreferences',
        tags,
        summary: 'Notification preferences (the defaults until changed)',
        response: { 200: Preferences, ...errorResponses() },
      },
    },
    (request) => service.preferences(callerOf(request)),
  );

  app.put(
    '/preferences',
    {
      schema: {
        operationId: 'updateNotificationPreferences',
        tags,
        summary: 'Change notification preferences (fields left out keep their value)',
        body: PutPreferencesBody,
        response: { 200: Preferences, ...errorResponses(422) },
      },
    },
    (request) => service.updatePreferences(callerOf(request), request.body),
  );

  app.get(
    '/',
    {
      schema: {
        operationId: 'listNotifications',
        tags,
        summary: 'The inbox, newest first (or unread first)',
        querystring: InboxQuery,
        response: { 200: NotificationPage, ...errorResponses() },
      },
    },
    (request) => service.list(callerOf(request), request.query),
  );

  app.get(
    '/unread-count',
    {
      schema: {
        operationId: 'getUnreadCount',
        tags,
        summary: 'How many notifications are unread (for the app badge)',
        response: { 200: UnreadCount, ...errorResponses() },
      },
    },
    (request) => service.unreadCount(callerOf(request)),
  );

  app.post(
    '/read-all',
    {
      schema: {
        operationId: 'markAllNotificationsRead',
        tags,
        summary: 'Mark every notification read',
        response: { 200: ReadAllResult, ...errorResponses() },
      },
    },
    (request) => service.markAllRead(callerOf(request)),
  );

  app.post(
    '/:id/read',
    {
      schema: {
        operationId: 'markNotificationRead',
        tags,
        summary: 'Mark one notification read (idempotent: the first read time stays)',
        params: IdParams,
        response: { 200: Notification, ...errorResponses(404) },
      },
    },
    (request) => service.markRead(callerOf(request), request.params.id),
  );

  app.delete(
    '/:id',
    {
      schema: {
        operationId: 'deleteNotification',
        tags,
        summary: 'Delete a notification from the inbox',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await service.remove(callerOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
