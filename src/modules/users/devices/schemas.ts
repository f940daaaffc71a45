// Request and response schemas of /v1/users/me/devices.
import { Type, type Static } from 'typebox';
import { StringEnum } from '../../../platform/http/schemas.ts';
import { Device } from '../../auth/index.ts';

export const DeviceList = Type.Object({ items: Type.Array(Device) }, { $id: 'DeviceList' });
export const DeviceIdParams = Type.Object(
  {
    device_id: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'The id the app sent at sign-in',
    }),
  },
  { additionalProperties: false },
);
export const PushTokenBody = Type.Object(
  {
    push_token: Type.String({ minLength: 20, maxLength: 4096, pattern: '^[\\x21-\\x7e]+$' }),
    platform: StringEnum(['ios', 'android', 'web']),
  },
  { additionalProperties: false },
);
export type PushTokenInput = Static<typeof PushTokenBody>;
