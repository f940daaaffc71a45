// Recognising PostgreSQL errors through the wrappers of Drizzle and of each driver.
const causes = function* (error: unknown): Generator<Record<string, unknown>> {
  let current = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    yield current as Record<string, unknown>;
    current = (current as { cause?: unknown }).cause;
  }
};

function pgCode(error: unknown): { code: string; constraint: string | undefined } | undefined {
  for (const candidate of causes(error)) {
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      const constraint = candidate.constraint_name ?? candidate.constraint;
      return {
        code: candidate.code,
        constraint: typeof constraint === 'string' ? constraint : undefined,
      };
    }
  }
  return undefined;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const found = pgCode(error);
  return found?.code === '23505' && (constraint === undefined || found.constraint === constraint);
}

/** The constraint a unique violation broke (a partition's own name on partitioned tables). */
export function violatedUniqueConstraint(error: unknown): string | undefined {
  const found = pgCode(error);
  return found?.code === '23505' ? found.constraint : undefined;
}

export function isForeignKeyViolation(error: unknown): boolean {
  return pgCode(error)?.code === '23503';
}

/** Connection-level failures (server down, restarting, too many connections). */
export function isConnectionError(error: unknown): boolean {
  for (const candidate of causes(error)) {
    const code = candidate.code;
    if (typeof code === 'string') {
      if (/^(08|57P0|53300)/.test(code)) return true;
      if (
        [
          'ECONNREFUSED',
          'ECONNRESET',
          'ETIMEDOUT',
          'EPIPE',
          'CONNECTION_CLOSED',
          'CONNECTION_ENDED',
          'CONNECTION_DESTROYED',
          'CONNECT_TIMEOUT',
          // No connection of the pool became free in time (postgres-pool.ts).
          'CONNECTION_POOL_TIMEOUT',
        ].includes(code)
      )
        return true;
    }
  }
  return false;
}

/**
 * PostgreSQL ended our work for taking too long: a statement past statement_timeout
 * (57014; we never cancel statements ourselves) or a transaction idle past
 * idle_in_transaction_session_timeout (25P03). Either was rolled back.
 */
export function isDatabaseTimeout(error: unknown): boolean {
  const code = pgCode(error)?.code;
  return code === '57014' || code === '25P03';
}
