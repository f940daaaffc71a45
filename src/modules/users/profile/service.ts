// The signed-in user's profile: GET /v1/users/me (the same User a sign-in answers with) and
// PATCH: display name, language, time zone, sign-in alerts, preferences and settings (the
// last two merged key by key, at most 16 KiB each).
import type { Database, Tx } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { AuthContext } from '../../../platform/auth/guard.ts';
import { notFound, unprocessable } from '../../../platform/errors.ts';
import { assertTimeZone } from '../../../platform/time.ts';
import { isKnownCountry } from '../../../platform/countries.ts';
import type { AccountsPort, UserDto } from '../../auth/index.ts';
import type { UpdateMeInput } from './schemas.ts';

const MAX_JSON_BYTES = 16 * 1024;

export function createProfileService(deps: {
  db: Database;
  clock: Clock;
  accounts: Pick<AccountsPort, 'user' | 'updateProfile'>;
}) {
  const { db, clock, accounts } = deps;

  async function me(tx: Tx, userId: string): Promise<UserDto> {
    const user = await accounts.user(tx, userId);
    if (!user) throw notFound('user');
    return user;
  }

  return {
    getMe: (caller: AuthContext) => db.asUser(caller.userId, (tx) => me(tx, caller.userId)),

    async updateMe(caller: AuthContext, input: UpdateMeInput): Promise<UserDto> {
      if (input.time_zone !== undefined) assertTimeZone(input.time_zone, '#/body/time_zone');
      if (input.country && !isKnownCountry(input.country))
        throw unprocessable('unknown-country', `${input.country} is not a country code`, [
          { pointer: '#/body/country', message: 'not an ISO 3166-1 alpha-2 country code' },
        ]);
      for (const field of ['preferences', 'settings'] as const) {
        const value = input[field];
        if (value && Buffer.byteLength(JSON.stringify(value)) > MAX_JSON_BYTES) {
          throw unprocessable('too-large', `${field} is larger than 16 KiB`, [
            { pointer: `#/body/${field}`, message: 'too large' },
          ]);
        }
      }
      const now = clock.now();
      return db.asUser(caller.userId, async (tx) => {
        await accounts.updateProfile(
          tx,
          caller.userId,
          {
            language: input.language_preference,
            timeZone: input.time_zone,
            signInAlerts: input.sign_in_alerts,
            displayName: input.display_name,
            preferences: input.preferences,
            settings: input.settings,
            country: input.country,
          },
          now,
        );
        return me(tx, caller.userId);
      });
    },
  };
}

export type ProfileService = ReturnType<typeof createProfileService>;
