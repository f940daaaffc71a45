// Guards around the dependencies a request or job may wait on (object storage, Redis,
// SMTP): a timeout, a circuit breaker and, where a slow dependency could pile up work, a
// bulkhead (cockatiel). When a guard refuses (breaker open, bulkhead full, timeout), the
// caller gets a 503 with Retry-After at once instead of waiting; the breaker's state is
// exported as a metric. Retries are left to the layer that owns them (the S3 SDK, the
// job queue), so that a failure is not retried twice over.
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { serviceUnavailable } from './errors.ts';

export interface GuardOptions {
  /** Per call; omit for calls that stream for as long as the client sends. */
  timeoutMs?: number;
  /** Consecutive failures that open the breaker. */
  failures?: number;
  halfOpenAfterMs?: number;
  /** Calls in flight at most, and waiting at most. */
  bulkhead?: { limit: number; queue: number };
  retryAfterSeconds?: number;
  /** Failures that are the caller's, not the dependency's (they do not open the breaker). */
  ignore?: (error: unknown) => boolean;
}

export interface Guard {
  readonly name: string;
  run<T>(work: (signal: AbortSignal) => Promise<T>, options?: { timeout?: boolean }): Promise<T>;
  state(): 'closed' | 'open' | 'half-open';
}

const STATE_VALUE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 0.5,
  [CircuitState.Open]: 1,
  [CircuitState.Isolated]: 1,
};

function breakerGauge(registry: Registry): Gauge<'dependency'> {
  const existing = registry.getSingleMetric('circuit_breaker_state');
  if (existing) return existing as Gauge<'dependency'>;
  return new Gauge({
    name: 'circuit_breaker_state',
    help: 'Circuit breaker state by dependency: 0 closed, 0.5 half-open, 1 open',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
}

/** Exports a breaker's state (used by guards and by the FCM provider's own breaker). */
export function trackBreaker(
  registry: Registry,
  name: string,
  breaker: CircuitBreakerPolicy,
  log?: Logger,
): void {
  const gauge = breakerGauge(registry);
  gauge.set({ dependency: name }, 0);
  breaker.onStateChange((state) => {
    gauge.set({ dependency: name }, STATE_VALUE[state]);
    if (state === CircuitState.Open) log?.warn({ dependency: name }, 'circuit opened');
    if (state === CircuitState.Closed) log?.info({ dependency: name }, 'circuit closed');
  });
}

export function createGuard(
  name: string,
  options: GuardOptions,
  registry: Registry,
  log: Logger,
): Guard {
  const ignore = options.ignore ?? (() => false);
  const breaker = circuitBreaker(
    handleWhen((error) => !ignore(error)),
    {
      halfOpenAfter: options.halfOpenAfterMs ?? 10_000,
      breaker: new ConsecutiveBreaker(options.failures ?? 5),
    },
  );
  trackBreaker(registry, name, breaker, log);
  const limit = options.bulkhead
    ? bulkhead(options.bulkhead.limit, options.bulkhead.queue)
    : undefined;
  // abortOnReturn: false — aborting the signal of a call that has already returned builds
  // a DOMException per call (about 1 % of the CPU of a list request, three Redis calls each);
  // no work of ours reads its signal after returning.
  const timed = options.timeoutMs
    ? timeout(options.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false })
    : undefined;
  const withTimeout: IPolicy = wrap(...[limit, breaker, timed].filter((p) => p !== undefined));
  const withoutTimeout: IPolicy = wrap(...[limit, breaker].filter((p) => p !== undefined));
  const retryAfter = options.retryAfterSeconds ?? 10;

  return {
    name,
    async run(work, runOptions = {}) {
      const policy = runOptions.timeout === false ? withoutTimeout : withTimeout;
      try {
        return await policy.execute(({ signal }) => work(signal));
      } catch (error) {
        if (
          error instanceof BrokenCircuitError ||
          error instanceof BulkheadRejectedError ||
          error instanceof TaskCancelledError
        ) {
          throw serviceUnavailable(name, retryAfter, error);
        }
        throw error;
      }
    },
    state() {
      const state = breaker.state;
      return state === CircuitState.Closed
        ? 'closed'
        : state === CircuitState.HalfOpen
          ? 'half-open'
          : 'open';
    },
  };
}

/** Counts each time a caller fell back because a dependency was unavailable. */
export function dependencyFallbacks(registry: Registry): Counter<'dependency' | 'use'> {
  const existing = registry.getSingleMetric('dependency_fallbacks_total');
  if (existing) return existing as Counter<'dependency' | 'use'>;
  return new Counter({
    name: 'dependency_fallbacks_total',
    help: 'Calls served by a fallback because a dependency was unavailable',
    labelNames: ['dependency', 'use'] as const,
    registers: [registry],
  });
}
