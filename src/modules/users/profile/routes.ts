// HTTP routes of the profile: GET and PATCH /v1/users/me.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../../platform/auth/guard.ts';
import { errorResponses, json } from '../../../platform/http/responses.ts';
import { bodyExamples } from '../../../platform/http/openapi/operation-docs.ts';
import { User, userExamples } from '../../auth/index.ts';
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
        response: {
          200: json('The profile', User, { examples: userExamples }),
          ...errorResponses(),
        },
      },
    },
    (request) => service.getMe(callerOf(request)),
  );

  app.patch(
    '/',
    {
      config: {
        openapi: {
          bodyExamples: bodyExamples(UpdateMeBody, {
            lucia: {
              summary: 'Lucía moves to Bogotá and keeps the app in Spanish',
              value: { time_zone: 'America/Bogota', preferences: { theme: 'dark' } },
            },
            emma: {
              summary: 'Emma changes her name and turns sign-in alerts off',
              value: { display_name: 'Em', sign_in_alerts: false },
            },
          }),
        },
      },
      schema: {
        operationId: 'updateProfile',
        tags,
        summary: 'Update profile, language, time zone, preferences or settings',
        description:
          'Send only what changes. The time zone sets what a "day" is for streaks, reminders ' +
          'and daily figures from now on; a zone that is not IANA is a 400; preferences or ' +
          'settings over 16 KiB a 422 too-large.',
        body: UpdateMeBody,
        response: { 200: json('The profile as changed', User), ...errorResponses(422) },
      },
    },
    (request) => service.updateMe(callerOf(request), request.body),
  );
};
