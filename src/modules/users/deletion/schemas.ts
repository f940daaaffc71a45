// Response schema of DELETE /v1/users/me.
import { Type } from 'typebox';
import { Timestamp } from '../../../platform/http/schemas.ts';

export const AccountDeletionScheduled = Type.Object(
  {
    status: Type.Literal('pending_deletion'),
    purge_after: Timestamp({
      description: 'When the account and its data are deleted, unless the owner signs in again',
    }),
  },
  { $id: 'AccountDeletionScheduled' },
);
