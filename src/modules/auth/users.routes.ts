// HTTP routes of /v1/users/me.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../platform/auth/guard.ts';
import { errorResponses, IdParams, PageQuery, Timestamp } from '../../platform/http/schemas.ts';
import { requestMeta } from '../../platform/http/request-meta.ts';
import type { UsersService } from './users.service.ts';
import {
  Device,
  DeviceIdParams,
  PushTokenBody,
  DeviceList,
  KeyEnvelopeList,
  PutKeyEnvelopesBody,
  SecurityEventPage,
  UpdateMeBody,
  User,
} from './schemas.ts';

const tags = ['users'];

const AccountDeletionScheduled = Type.Object({
  status: Type.Literal('pending_deletion'),
  purge_after: Timestamp({
    description: 'When the account and its data are deleted, unless the owner signs in again',
  }),
});

export const usersRoutes: FastifyPluginAsyncTypebox<{ service: UsersService }> = async (
  app,
  { service },
) => {
  app.get(
    '/',
    {
      schema: { tags, summary: 'The signed-in user', response: { 200: User, ...errorResponses() } },
    },
    (request) => service.getMe(callerOf(request)),
  );

  app.patch(
    '/',
    {
      schema: {
        tags,
        summary: 'Update profile, language, time zone, preferences or settings',
        body: UpdateMeBody,
        response: { 200: User, ...errorResponses(422) },
      },
    },
    (request) => service.updateMe(callerOf(request), request.body),
  );

  app.delete(
    '/',
    {
      config: { stepUp: true },
      schema: {
        tags,
        summary:
          'Delete the account: disabled at once, purged with all its data after a grace period',
        description:
          'Needs a recent POST /v1/auth/reauthenticate in this session (401 ' +
          'reauthentication-required otherwise). Every session ends and no push or reminder ' +
          'goes out from now on; an email says when the account will be deleted. Signing in ' +
          'again with restore_account: true before purge_after (ACCOUNT_DELETION_GRACE_DAYS, ' +
          '7 days by default) cancels the deletion; after it, everything is deleted for good.',
        response: { 202: AccountDeletionScheduled, ...errorResponses(401) },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await service.deleteAccount(callerOf(request), requestMeta(request))),
  );

  app.get(
    '/devices',
    {
      schema: {
        tags,
        summary: 'Devices this account has signed in from',
        response: { 200: DeviceList, ...errorResponses() },
      },
    },
    async (request) => ({ items: await service.listDevices(callerOf(request)) }),
  );

  app.delete(
    '/devices/:id',
    {
      schema: {
        tags,
        summary: 'Forget a device and end its sessions',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await service.deleteDevice(callerOf(request), request.params.id, requestMeta(request));
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/devices/:device_id/push-token',
    {
      schema: {
        tags,
        summary: 'Register this device’s push token (FCM registration token)',
        params: DeviceIdParams,
        body: PushTokenBody,
        response: { 200: Device, ...errorResponses(404) },
      },
    },
    (request) => service.setPushToken(callerOf(request), request.params.device_id, request.body),
  );

  app.delete(
    '/devices/:device_id/push-token',
    {
      schema: {
        tags,
        summary: 'Stop pushes to this device (the app lost notification permission)',
        params: DeviceIdParams,
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await service.clearPushToken(callerOf(request), request.params.device_id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/key-envelopes',
    {
      schema: {
        tags,
        summary: 'Wrapped data keys (opaque to the server)',
        response: { 200: KeyEnvelopeList, ...errorResponses() },
      },
    },
    async (request) => ({ items: await service.listKeyEnvelopes(callerOf(request)) }),
  );

  app.put(
    '/key-envelopes',
    {
      schema: {
        tags,
        summary:
          'Store wrapped data keys by label (e.g. recovery); the password envelope changes only with the password',
        body: PutKeyEnvelopesBody,
        response: { 200: KeyEnvelopeList, ...errorResponses(409, 422) },
      },
    },
    async (request) => ({
      items: await service.putKeyEnvelopes(
        callerOf(request),
        request.body.envelopes,
        requestMeta(request),
      ),
    }),
  );

  app.get(
    '/security-events',
    {
      schema: {
        tags,
        summary: "The account's own audit trail, newest first",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: SecurityEventPage, ...errorResponses() },
      },
    },
    (request) =>
      service.listSecurityEvents(
        callerOf(request),
        request.query.limit ?? 20,
        request.query.cursor,
      ),
  );
};
