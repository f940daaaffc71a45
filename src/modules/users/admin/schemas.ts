// Request and response schemas of /v1/admin/users.
import { Type, type Static } from 'typebox';
import { Nullable, Page, StringEnum, Timestamp, Uuid } from '../../../platform/http/schemas.ts';
import { ROLES } from '../../../platform/auth/roles.ts';
import { ACCOUNT_STATUSES } from '../../auth/index.ts';

export const AdminUser = Type.Object(
  {
    id: Uuid(),
    email: Type.String(),
    email_verified: Type.Boolean(),
    role: StringEnum(ROLES),
    account_status: StringEnum(ACCOUNT_STATUSES),
    created_at: Timestamp(),
    last_login_at: Nullable(Timestamp()),
    purge_after: Nullable(
      Timestamp({ description: 'pending_deletion: when the account is purged unless restored' }),
    ),
  },
  { $id: 'AdminUser', description: 'An account as administrators see it' },
);
export type AdminUserDto = Static<typeof AdminUser>;
export const AdminUserPage = Page(AdminUser, 'AdminUserPage');
export const AdminUpdateBody = Type.Object(
  {
    role: Type.Optional(StringEnum(ROLES)),
    // Only the owner asks for a deletion (DELETE /v1/users/me), and only they cancel it.
    account_status: Type.Optional(StringEnum(['active', 'locked'] as const)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const AdminUserQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    email: Type.Optional(
      Type.String({ minLength: 1, maxLength: 254, description: 'Prefix match' }),
    ),
  },
  { additionalProperties: false },
);

/** The shapes of /v1/admin/users named in the OpenAPI document. */
export const adminComponents = [AdminUser, AdminUserPage];
