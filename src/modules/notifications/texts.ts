// What notifications say (content/notifications.json, content/affirmations.json), in
// Spanish and English. Push texts are generic on purpose: a lock screen is not private.
import { Type, type Static } from 'typebox';
import { readContent } from '../../platform/content.ts';

const Text = Type.Object({
  title: Type.String({ minLength: 1 }),
  body: Type.String({ minLength: 1 }),
});
const PerLanguage = <T extends ReturnType<typeof Type.Object> | ReturnType<typeof Type.Array>>(
  item: T,
) => Type.Object({ es: item, en: item });

const NotificationsFile = Type.Object({
  reminder: PerLanguage(Type.Array(Text, { minItems: 1 })),
  affirmation: PerLanguage(Text),
  achievement: PerLanguage(Text),
  export_ready: PerLanguage(Text),
});
export type NotificationTexts = Static<typeof NotificationsFile>;

const AffirmationsFile = Type.Array(
  Type.Object({
    code: Type.String({ pattern: '^[a-z0-9-]+$' }),
    target_emotions: Type.Optional(Type.Array(Type.String())),
    es: Type.String({ minLength: 1 }),
    en: Type.String({ minLength: 1 }),
  }),
  { minItems: 60 },
);
export type Affirmation = Static<typeof AffirmationsFile>[number];

export async function loadNotificationTexts() {
  const [texts, affirmations] = await Promise.all([
    readContent(NotificationsFile, 'notifications.json'),
    readContent(AffirmationsFile, 'affirmations.json'),
  ]);
  return { texts, affirmations };
}
