// HTTP routes of /v1/users/me/devices: the devices this account signed in from, and their
// push tokens.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { IdParams } from '../../../platform/http/schemas.ts';
import { errorResponses, json, noBody } from '../../../platform/http/responses.ts';
import { bodyExamples } from '../../../platform/http/openapi/operation-docs.ts';
import { requestMeta } from '../../../platform/http/request-meta.ts';
import { Device, deviceExamples } from '../../auth/index.ts';
import type { DevicesService } from './service.ts';
import { DeviceIdParams, DeviceList, PushTokenBody } from './schemas.ts';

const tags = ['users'];

export const devicesRoutes: FastifyPluginAsyncTypebox<{ service: DevicesService }> = async (
  app,
  { service },
) => {
  app.get(
    '/devices',
    {
      schema: {
        operationId: 'listDevices',
        tags,
        summary: 'Devices this account has signed in from',
        response: { 200: json('The devices', DeviceList), ...errorResponses() },
      },
    },
    async (request) => ({ items: await service.listDevices(callerOf(request)) }),
  );

  app.delete(
    '/devices/:id',
    {
      schema: {
        operationId: 'forgetDevice',
        tags,
        summary: 'Forget a device and end its sessions',
        params: IdParams,
        response: { 204: noBody('The device is forgotten'), ...errorResponses(404) },
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
      config: {
        openapi: {
          bodyExamples: bodyExamples(PushTokenBody, {
            ios: {
              summary: 'Lucía’s iPhone (an FCM registration token)',
              value: {
                push_token:
                  'fT3kQ9xLz2M:APA91bHq7V2mN4cR8wK1pX6sJ0dG5yB3tE9uL2hF7aQ4vZ1nC8iO6rW3mS5kD0jY',
                platform: 'ios',
              },
            },
          }),
        },
      },
      schema: {
        operationId: 'registerPushToken',
        tags,
        summary: 'Register this device’s push token (FCM registration token)',
        description:
          'After sign-in, and whenever the push service gives the app a new token. The device ' +
          'is the one named at sign-in (device_id); a token moves to the account that ' +
          'registered it last.',
        params: DeviceIdParams,
        body: PushTokenBody,
        response: {
          200: json('The device, with a push token', Device, { examples: deviceExamples }),
          ...errorResponses(404),
        },
      },
    },
    (request) => service.setPushToken(callerOf(request), request.params.device_id, request.body),
  );

  app.delete(
    '/devices/:device_id/push-token',
    {
      schema: {
        operationId: 'removePushToken',
        tags,
        summary: 'Stop pushes to this device (the app lost notification permission)',
        params: DeviceIdParams,
        response: { 204: noBody('No more pushes to this device'), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await service.clearPushToken(callerOf(request), request.params.device_id);
      return reply.code(204).send(null);
    },
  );
};
