// HTTP routes of /v1/notifications.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../platform/auth/guard.ts';
import { IdParams } from '../../platform/http/schemas.ts';
import { errorResponses, json, noBody } from '../../platform/http/responses.ts';
import { bodyExamples } from '../../platform/http/openapi/operation-docs.ts';
import {
  notificationExamples,
  notificationPageExamples,
  preferencesExamples,
  putPreferencesExamples,
} from './examples.ts';
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
        description:
          "Times are local times in the user's time zone; reminders and affirmations go out " +
          'then, pushes wait out the quiet hours (the inbox gets them at once).',
        response: {
          200: json('The preferences', Preferences, { examples: preferencesExamples }),
          ...errorResponses(),
        },
      },
    },
    (request) => service.preferences(callerOf(request)),
  );

  app.put(
    '/preferences',
    {
      config: {
        openapi: { bodyExamples: bodyExamples(PutPreferencesBody, putPreferencesExamples) },
      },
      schema: {
        operationId: 'updateNotificationPreferences',
        tags,
        summary: 'Change notification preferences (fields left out keep their value)',
        body: PutPreferencesBody,
        response: { 200: json('The preferences as changed', Preferences), ...errorResponses(422) },
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
        response: {
          200: json('A page of the inbox', NotificationPage, {
            examples: notificationPageExamples,
          }),
          ...errorResponses(),
        },
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
        response: { 200: json('The unread count', UnreadCount), ...errorResponses() },
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
        response: { 200: json('How many were marked read', ReadAllResult), ...errorResponses() },
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
        response: {
          200: json('The notification, read', Notification, { examples: notificationExamples }),
          ...errorResponses(404),
        },
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
        response: { 204: noBody('The notification is deleted'), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await service.remove(callerOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
