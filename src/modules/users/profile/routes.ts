// HTTP routes of the profile: GET and PATCH /v1/users/me.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { errorResponses } from '../../../platform/http/schemas.ts';
import { User } from '../../auth/index.ts';
import type { ProfileService } from './service.ts';
import { UpdateMeBody } from './schemas.ts';

const tags = ['users'];

export const profileRoutes: FastifyPluginAsyncTypebox<{ service: ProfileService }> = async (
  app,
  { service },
) => {
  app.get(
    '/',
    {
      schema: {
        operationId: 'getProfile',
        tags,
        summary: 'The signed-in user',
        response: { 200: User, ...errorResponses() },
      },
    },
    (request) => service.getMe(callerOf(request)),
  );

  app.patch(
    '/',
    {
      schema: {
        operationId: 'updateProfile',
        tags,
        summary: 'Update profile, language, time zone, preferences or settings',
        body: UpdateMeBody,
        response: { 200: User, ...errorResponses(422) },
      },
    },
    (request) => service.updateMe(callerOf(request), request.body),
  );
};
