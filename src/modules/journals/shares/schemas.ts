// Request and response shapes of share links (docs/encryption.md, sharing).
import { Type, type Static } from 'typebox';
import {
  EncryptedText,
  Nullable,
  StringEnum,
  Timestamp,
  Uuid,
} from '../../../platform/http/schemas.ts';

export const SHARE_DEFAULT_DAYS = 7;
export const SHARE_MAX_DAYS = 30;
export const SHARE_MAX_DOWNLOADS = 1000;
/** Shares of one journal that may be open at once. */
export const SHARES_PER_JOURNAL = 20;
export const LABEL_MAX_BYTES = 400;

export const ShareParams = Type.Object(
  { id: Uuid(), shareId: Uuid() },
  { additionalProperties: false },
);

export const CreateShareBody = Type.Object(
  {
    id: Type.Optional(
      Uuid({
        description:
          "The share's id, chosen by the device (required with a label, whose envelope is " +
          'bound to it); a random UUID: it is the link. The server makes one when absent',
      }),
    ),
    expires_in_days: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: SHARE_MAX_DAYS,
        default: SHARE_DEFAULT_DAYS,
        description: `Days the link opens for (default ${SHARE_DEFAULT_DAYS}, at most ${SHARE_MAX_DAYS})`,
      }),
    ),
    max_downloads: Type.Optional(
      Nullable(
        Type.Integer({
          minimum: 1,
          maximum: SHARE_MAX_DOWNLOADS,
          description: 'How many times the recording may be downloaded through it; null: no limit',
        }),
      ),
    ),
    label: Type.Optional(
      Nullable(
        EncryptedText(
          LABEL_MAX_BYTES,
          'Who the link is for (shown to the owner only; AAD field `share.label`)',
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type CreateShareBody = Static<typeof CreateShareBody>;

export const ShareStatus = StringEnum(['active', 'expired', 'revoked', 'exhausted'], {
  description: 'exhausted: max_downloads reached',
});
export type ShareStatus = Static<typeof ShareStatus>;

export const Share = Type.Object(
  {
    id: Uuid(),
    journal_id: Uuid(),
    label: Nullable(Type.String({ description: 'The envelope sent at creation' })),
    url: Type.String({
      format: 'uri',
      description:
        "The link without its key: the SDK appends '#' and the journal key (base64url) before " +
        'handing it on; the server never sees that part',
    }),
    status: ShareStatus,
    expires_at: Timestamp(),
    max_downloads: Nullable(Type.Integer()),
    downloads: Type.Integer(),
    revoked_at: Nullable(Timestamp()),
    created_at: Timestamp(),
  },
  { $id: 'Share', description: 'A share link of a journal, as its owner sees it' },
);
export type ShareDto = Static<typeof Share>;

export const ShareList = Type.Object({ items: Type.Array(Share) }, { $id: 'ShareList' });

/** What the share page learns before downloading: no key, nothing about the owner. */
export const PublicShare = Type.Object(
  {
    id: Uuid(),
    journal_id: Uuid({ description: 'Part of the AAD of the audio and of the title' }),
    title: Nullable(
      Type.String({ description: "The title's envelope, under the journal key; null if none" }),
    ),
    duration_seconds: Type.Integer(),
    recorded_at: Timestamp(),
    expires_at: Timestamp(),
    downloads_left: Nullable(Type.Integer({ description: 'null: no limit' })),
    encryption: Type.Object({
      algorithm: Type.String(),
      iv: Type.String({ description: 'base64: nonce prefix (segments) or IV (whole file)' }),
    }),
    audio: Type.Object({
      format: Type.String(),
      file_size: Type.Integer(),
      checksum_sha256: Type.String(),
    }),
  },
  {
    $id: 'SharedJournal',
    description: 'What a share link opens, before the download: no key, nothing about the owner',
  },
);
export type PublicShareDto = Static<typeof PublicShare>;

/** The shapes of share links named in the OpenAPI document. */
export const sharesComponents = [Share, ShareList, PublicShare];
