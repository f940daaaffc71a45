// Response schemas of GET /v1/users/me/security-events.
import { Type, type Static } from 'typebox';
import { Nullable, Page, Timestamp, Uuid } from '../../../platform/http/schemas.ts';

export const SecurityEvent = Type.Object(
  {
    id: Uuid(),
    type: Type.String({
      description: 'What happened, e.g. login_failed, password_changed, journal_share_created',
    }),
    ip: Nullable(Type.String()),
    user_agent: Nullable(Type.String()),
    metadata: Type.Object({}, { additionalProperties: true }),
    created_at: Timestamp(),
  },
  { $id: 'SecurityEvent', description: 'An entry of the account’s audit trail' },
);
export type SecurityEventDto = Static<typeof SecurityEvent>;
export const SecurityEventPage = Page(SecurityEvent, 'SecurityEventPage');

/** The shapes of /v1/users/me/security-events named in the OpenAPI document. */
export const securityEventsComponents = [SecurityEvent, SecurityEventPage];
