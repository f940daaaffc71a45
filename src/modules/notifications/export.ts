// What the notifications module puts into a full data export: reminder, affirmation and
// channel preferences (the defaults when never changed), and the inbox.
import type { ExportContributor } from '../../platform/data-export.ts';
import { toPreferencesDto } from './preferences.ts';
import { allNotificationsOf, findPreferences } from './repository.ts';
import { toNotificationDto } from './service.ts';

export const notificationsExport: ExportContributor = {
  folder: 'notifications',
  about: {
    es: 'tus preferencias de recordatorios, afirmaciones y avisos (`preferences.json`) y tu bandeja de notificaciones (`inbox.json`).',
    en: 'your reminder, affirmation and notification preferences (`preferences.json`) and your notification inbox (`inbox.json`).',
  },
  async write({ userId, read, files }) {
    const { preferences, inbox } = await read(async (tx) => ({
      preferences: await findPreferences(tx, userId),
      inbox: await allNotificationsOf(tx, userId),
    }));
    await files.json('preferences.json', toPreferencesDto(preferences));
    await files.json('inbox.json', inbox.map(toNotificationDto));
  },
};
