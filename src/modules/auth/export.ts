// What the auth module puts into a full data export: the `account` folder (first in the
// archive: index.ts registers it before any other module does) with the account, its
// profile and settings, devices, wrapped data keys with the parameters to derive the key
// that unwraps them, and the account's audit trail. Never the password hash, tokens, push
// tokens or MFA secrets.
import type { ExportContributor } from '../../platform/data-export.ts';
import type { Tx } from '../../platform/db/database.ts';
import { notFound } from '../../platform/errors.ts';
import type { Clock } from '../../platform/clock.ts';
import * as repo from './repository.ts';
import { findKeyParamsByEmail, listEnvelopes } from './keys/repository.ts';
import { listDevices } from './devices/repository.ts';
import { listActiveSessions } from './sessions/repository.ts';
import { listSecurityEvents } from './security-events/repository.ts';
import { toDeviceDto, toSecurityEventDto, toSessionDto, toUserDto } from './dto.ts';

const PAGE = 500;

async function allSecurityEvents(tx: Tx, userId: string) {
  const events: ReturnType<typeof toSecurityEventDto>[] = [];
  let after: [string, string] | undefined;
  for (;;) {
    const rows = await listSecurityEvents(tx, userId, PAGE, after);
    events.push(...rows.slice(0, PAGE).map(toSecurityEventDto));
    const last = rows[PAGE - 1];
    if (rows.length <= PAGE || !last) return events;
    after = [last.createdAt.toISOString(), last.id];
  }
}

export const accountExport = (clock: Clock): ExportContributor => ({
  folder: 'account',
  about: {
    es: 'tu cuenta y perfil, preferencias y ajustes, idioma, zona horaria, dispositivos y sesiones abiertas, tus claves envueltas y los parámetros para derivar la clave que las abre (`profile.json`), y el registro de seguridad de la cuenta (`security-events.json`).',
    en: 'your account and profile, preferences and settings, language, time zone, devices and open sessions, your wrapped keys and the parameters to derive the key that opens them (`profile.json`), and the account’s security log (`security-events.json`).',
  },
  async write({ userId, read, files }) {
    const account = await read(async (tx) => {
      const user = await repo.findUserById(tx, userId);
      if (!user) throw notFound('user');
      return {
        user,
        keyParams: await findKeyParamsByEmail(tx, user.email),
        envelopes: await listEnvelopes(tx, userId),
        devices: await listDevices(tx, userId),
        sessions: await listActiveSessions(tx, userId, clock.now()),
        events: await allSecurityEvents(tx, userId),
      };
    });
    const params = account.keyParams;
    await files.json('profile.json', {
      user: toUserDto(account.user),
      key_derivation: params
        ? {
            kdf: 'argon2id',
            salt: params.salt,
            memory_kib: params.memoryKib,
            iterations: params.iterations,
            parallelism: params.parallelism,
          }
        : null,
      key_envelopes: account.envelopes.map((e) => ({
        label: e.label,
        envelope: e.envelope,
        updated_at: e.updatedAt.toISOString(),
      })),
      devices: account.devices.map(toDeviceDto),
      // Signed-in sessions as GET /v1/auth/sessions shows them (no session is "current" here).
      sessions: account.sessions.map((row) => {
        const { is_current: _current, ...session } = toSessionDto(row, '');
        return session;
      }),
    });
    await files.json('security-events.json', account.events);
  },
});
