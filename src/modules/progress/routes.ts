// HTTP routes of /v1/progress (all read-only: progress is made elsewhere).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf } from '../../platform/auth/guard.ts';
import { errorResponses } from '../../platform/http/schemas.ts';
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
        response: { 200: Streak, ...errorResponses() },
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
        response: { 200: Achievements, ...errorResponses() },
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
        response: { 200: Statistics, ...errorResponses() },
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
        response: { 200: Trends, ...errorResponses() },
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
        response: { 200: Insights, ...errorResponses() },
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
        response: { 200: Dashboard, ...errorResponses() },
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
        querystring: CalendarQuery,
        response: { 200: Calendar, ...errorResponses() },
      },
    },
    (request) => service.calendar(callerOf(request), request.query.year),
  );
};
