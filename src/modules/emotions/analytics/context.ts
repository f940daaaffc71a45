// What every analytics question needs: its dependencies, a read transaction of the
// user's, and the range of local days it covers (in the user's time zone, checked).
import type { Database, Tx } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { AuthContext } from '../../../platform/auth/guard.ts';
import { AppError } from '../../../platform/errors.ts';
import { addDays, daysBetween, localDate } from '../../../platform/time.ts';
import type { ToolCatalogPort } from '../../tools/index.ts';
import type { EmotionCatalog } from '../catalog.ts';
import type { UserProfilePort } from '../../auth/index.ts';
import type { AnalyticsTexts } from '../texts.ts';
import type { Range } from './repository.ts';
import { RULES } from './rules.ts';

export interface AnalyticsDeps {
  db: Database;
  clock: Clock;
  catalog: () => EmotionCatalog;
  profiles: UserProfilePort;
  /** The tool library: candidates and favorites to recommend, names of helpful tools. */
  tools: ToolCatalogPort;
  texts: AnalyticsTexts;
}

export const invalidRange = (detail: string, pointer: string) =>
  new AppError(422, 'invalid-range', 'Invalid range', {
    detail,
    errors: [{ pointer, message: detail }],
  });

export function createAnalyticsContext(deps: AnalyticsDeps) {
  const { db, clock } = deps;

  /** Analytics scan many yearly partitions: plan their statements once (generic plans). */
  const readTx = <T>(userId: string, work: (tx: Tx) => Promise<T>) =>
    db.asUser(userId, work, { genericPlans: true });

  /** The user's range (default: the 30 local days ending today), read in the request's transaction. */
  async function rangeFor(
    tx: Tx,
    caller: AuthContext,
    input: { from?: string | undefined; to?: string | undefined },
    pointer: string,
  ) {
    const profile = await deps.profiles.profileIn(tx, caller.userId);
    const to = input.to ?? localDate(clock.now(), profile.timeZone);
    const from = input.from ?? addDays(to, -29);
    if (from > to) throw invalidRange('`from` is after `to`', `${pointer}/from`);
    if (daysBetween(from, to) > RULES.maxRangeDays) {
      throw invalidRange(
        `The range may span at most ${RULES.maxRangeDays} days`,
        `${pointer}/from`,
      );
    }
    const range: Range = {
      userId: caller.userId,
      from,
      toExclusive: addDays(to, 1),
      valences: deps.catalog().valences,
    };
    return { range, from, to };
  }

  /** The `days` local days ending today, for the user's standing statements (insights, recommendations). */
  async function windowFor(tx: Tx, userId: string) {
    const profile = await deps.profiles.profileIn(tx, userId);
    const today = localDate(clock.now(), profile.timeZone);
    const window = (days: number): Range => ({
      userId,
      from: addDays(today, -(days - 1)),
      toExclusive: addDays(today, 1),
      valences: deps.catalog().valences,
    });
    return { profile, window };
  }

  return { ...deps, readTx, rangeFor, windowFor };
}

export type AnalyticsContext = ReturnType<typeof createAnalyticsContext>;
