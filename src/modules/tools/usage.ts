// Uses of tools (POST /v1/tools/{id}/usage, GET /v1/tools/usage): a session is checked
// against the clock (not in the future, at most 30 days back, completed after it started),
// recorded idempotently, and announced in its transaction (`tools.used`: progress listens).
import { randomUUID } from 'node:crypto';
import type { AuthContext } from '../../platform/auth/guard.ts';
import { notFound, unprocessable } from '../../platform/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import {
  runIdempotent,
  type IdempotencyRequest,
  type IdempotentResult,
} from '../../platform/idempotency/idempotency.ts';
import * as repo from './repository.ts';
import type { UsageDto, UsageInput } from './schemas.ts';
import type { ToolsServiceDeps } from './service.ts';

export interface ToolUsedEvent {
  userId: string;
  usageId: string;
  toolId: string;
  categoryCode: string;
  startedAt: Date;
  durationSeconds: number;
  completionStatus: 'completed' | 'partial' | 'abandoned';
}

const MAX_BACKDATE_MS = 30 * 86_400_000;
const CLOCK_SKEW_MS = 2 * 60 * 1000;

const toUsageDto = (row: repo.UsageRow): UsageDto => ({
  id: row.id,
  tool_id: row.toolId,
  started_at: row.startedAt.toISOString(),
  completed_at: row.completedAt?.toISOString() ?? null,
  duration_seconds: row.durationSeconds,
  completion_status: row.completionStatus,
  created_at: row.createdAt.toISOString(),
});

export function createToolUsage(deps: ToolsServiceDeps) {
  const { db, clock } = deps;

  async function recordUsage(
    caller: AuthContext,
    toolId: string,
    input: UsageInput,
    idempotency?: IdempotencyRequest,
  ): Promise<IdempotentResult<UsageDto>> {
    const now = clock.now();
    const startedAt = new Date(input.started_at);
    const completedAt = input.completed_at ? new Date(input.completed_at) : null;
    const invalid = (pointer: string, detail: string) =>
      unprocessable('invalid-usage', detail, [{ pointer, message: detail }]);
    if (startedAt.getTime() > now.getTime() + CLOCK_SKEW_MS)
      throw invalid('#/body/started_at', 'started_at is in the future');
    if (startedAt.getTime() < now.getTime() - MAX_BACKDATE_MS)
      throw invalid('#/body/started_at', 'started_at may be at most 30 days in the past');
    if (completedAt && completedAt < startedAt)
      throw invalid('#/body/completed_at', 'completed_at is before started_at');
    if (completedAt && completedAt.getTime() > now.getTime() + CLOCK_SKEW_MS)
      throw invalid('#/body/completed_at', 'completed_at is in the future');
    if (input.completion_status === 'completed' && !completedAt)
      throw invalid('#/body/completed_at', 'a completed use needs completed_at');
    return db.asUser(caller.userId, (tx) =>
      runIdempotent(tx, caller.userId, idempotency, now, async () => {
        // A tool withdrawn after the app cached it still records: the user did use it.
        const tool = await repo.findTool(tx, toolId, false);
        if (!tool) throw notFound('tool');
        const row = await repo.insertUsage(tx, {
          id: randomUUID(),
          userId: caller.userId,
          toolId,
          startedAt,
          completedAt,
          durationSeconds: input.duration_seconds,
          completionStatus: input.completion_status,
          createdAt: now,
        });
        await deps.onUsed(tx, {
          userId: caller.userId,
          usageId: row.id,
          toolId,
          categoryCode: tool.categoryCode,
          startedAt,
          durationSeconds: row.durationSeconds,
          completionStatus: row.completionStatus,
        });
        return toUsageDto(row);
      }),
    );
  }

  async function listUsage(
    caller: AuthContext,
    query: { limit?: number | undefined; cursor?: string | undefined },
  ) {
    const limit = query.limit ?? 20;
    const after = decodeCursor(query.cursor, ['timestamp', 'uuid']) as [string, string] | undefined;
    const rows = await db.asUser(caller.userId, (tx) =>
      repo.listUsage(
        tx,
        caller.userId,
        limit,
        after ? { startedAt: new Date(after[0]), id: after[1] } : undefined,
      ),
    );
    return pageOf(rows, limit, toUsageDto, (row) => [row.startedAt.toISOString(), row.id]);
  }

  return { recordUsage, listUsage };
}
