// Request and response schemas of /v1/users/me/export (the full personal-data export).
import { Type, type Static } from 'typebox';
import { Nullable, StringEnum, Timestamp, Uuid } from '../../../platform/http/schemas.ts';
import { EXPORT_STATUSES } from '../values.ts';

export const DataExport = Type.Object(
  {
    id: Uuid(),
    status: StringEnum(EXPORT_STATUSES),
    progress: Type.Integer({ minimum: 0, maximum: 100, description: 'Percent done' }),
    created_at: Timestamp(),
    completed_at: Nullable(Timestamp()),
    expires_at: Timestamp({ description: 'When the archive is deleted' }),
    size_bytes: Nullable(Type.Integer({ minimum: 0 })),
    download_url: Nullable(
      Type.String({
        format: 'uri',
        description:
          'When ready: a signed link to the zip, valid for EXPORT_LINK_TTL_SECONDS (ask again for a fresh one)',
      }),
    ),
  },
  { $id: 'DataExport', description: 'An export of all the account’s data, and how it is going' },
);
export type DataExportDto = Static<typeof DataExport>;
