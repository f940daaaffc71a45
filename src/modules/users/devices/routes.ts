// HTTP routes of /v1/users/me/devices: the devices this account signed in from, and their
// push tokens.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { errorResponses, IdParams } from '../../../platform/http/schemas.ts';
import { requestMeta } from '../../../platform/http/request-meta.ts';
import { Device } from '../../auth/index.ts';
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
        response: { 200: DeviceList, ...errorResponses() },
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
        operationId: 'registerPushToken',
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
        operationId: 'removePushToken',
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
};
