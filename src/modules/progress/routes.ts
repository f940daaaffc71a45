// HTTP routes of /v1/progress (all read-only: progress is made elsewhere).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../platform/auth/guard.ts';
import { errorResponses, json } from '../../platform/http/responses.ts';
import { achievementsExamples, dashboardExamples, streakExamples } from './examples.ts';
import type { ProgressService } from './service.ts';
import type { Overview } from './overview.ts';
import {
  Achievements,
  Calendar,
  CalendarQuery,
  Dashboard,
  Insights,
  Statistics,
  StatisticsQuery,
  Streak,
  Trends,
} from './schemas.ts';

const tags = ['progress'];

export const progressRoutes: FastifyPluginAsyncTypebox<{
  service: ProgressService;
  overview: Overview;
}> = async (app, { service, overview }) => {
  app.get(
    '/streak',
    {
      schema: {
        operationId: 'getStreak',
        tags,
        summary: 'The current and longest streak of active local days, with freezes',
        description:
          'A day counts when the user checked in, recorded a journal or used a tool, in their ' +
          'time zone. A freeze (one earned per 7 days in a row, at most 2) covers a missed day.',
        response: {
          200: json('The streak', Streak, { examples: streakExamples }),
          ...errorResponses(),
        },
      },
    },
    (request) => service.streak(callerOf(request)),
  );

  app.get(
    '/achievements',
    {
      schema: {
        operationId: 'listAchievements',
        tags,
        summary: 'Earned achievements, and locked ones with progress toward them',
        response: {
          200: json("In the user's language", Achievements, { examples: achievementsExamples }),
          ...errorResponses(),
        },
      },
    },
    (request) => service.achievements(callerOf(request)),
  );

  app.get(
    '/statistics',
    {
      schema: {
        operationId: 'getStatistics',
        tags,
        summary: 'Activity over the last week, month, year or all time, against the period before',
        querystring: StatisticsQuery,
        response: {
          200: json('The figures of the period, the one before and the change', Statistics),
          ...errorResponses(),
        },
      },
    },
    (request) => service.statistics(callerOf(request), request.query.period ?? 'month'),
  );

  app.get(
    '/trends',
    {
      schema: {
        operationId: 'getProgressTrends',
        tags,
        summary: 'Chart series for the last 12 weeks: emotional trend and activity per week',
        response: { 200: json('Twelve weeks of series', Trends), ...errorResponses() },
      },
    },
    (request) => overview.trends(callerOf(request)),
  );

  app.get(
    '/insights',
    {
      schema: {
        operationId: 'getProgressInsights',
        tags,
        summary: 'Progress insights in the user’s language, each with the numbers behind it',
        response: { 200: json('The insights', Insights), ...errorResponses() },
      },
    },
    (request) => overview.insights(callerOf(request)),
  );

  app.get(
    '/dashboard',
    {
      schema: {
        operationId: 'getDashboard',
        tags,
        summary: 'Everything the home screen shows, in one request',
        description:
          'Streak, whether the user checked in today, the latest check-ins, the achievements ' +
          'closest to being earned and one tool to try, in the user’s language.',
        response: {
          200: json('The home screen', Dashboard, { examples: dashboardExamples }),
          ...errorResponses(),
        },
      },
    },
    (request) => overview.dashboard(callerOf(request)),
  );

  app.get(
    '/calendar',
    {
      schema: {
        operationId: 'getCalendar',
        tags,
        summary: 'Year in pixels: each local day with its activity count and dominant emotion',
        description: 'Default: the current year in the user’s time zone.',
        querystring: CalendarQuery,
        response: {
          200: json('The days of the year with activity', Calendar),
          ...errorResponses(),
        },
      },
    },
    (request) => service.calendar(callerOf(request), request.query.year),
  );
};
