// Response schemas of GET /v1/users/me/security-events.
import { Type, type Static } from 'typebox';
import { Nullable, Page, Timestamp, Uuid } from '../../../platform/http/schemas.ts';

export const SecurityEvent = Type.Object({
  id: Uuid(),
  type: Type.String(),
  ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  metadata: Type.Object({}, { additionalProperties: true }),
  created_at: Timestamp(),
});
export type SecurityEventDto = Static<typeof SecurityEvent>;
export const SecurityEventPage = Page(SecurityEvent);
