// Request and response schemas of /v1/journals.
import { Type, type Static } from 'typebox';
import {
  EncryptedText,
  KeyEnvelope,
  Nullable,
  Page,
  StringEnum,
  Timestamp,
  Uuid,
} from '../../platform/http/schemas.ts';
import { Checkin, NOTES_MAX_BYTES } from '../emotions/index.ts';

/** How a recording is encrypted: in 64 KiB segments (the SDK's), or the whole file at once. */
export const ENCRYPTION_ALGORITHMS = ['AES-256-GCM-STREAM', 'AES-256-GCM'] as const;
export type EncryptionAlgorithm = (typeof ENCRYPTION_ALGORITHMS)[number];
/** Plaintext bytes per segment of an AES-256-GCM-STREAM recording. */
export const SEGMENT_SIZE = 64 * 1024;

/** Bytes of UTF-8 a title may hold (200 characters of any script). */
export const TITLE_MAX_BYTES = 800;

const CheckinPart = Type.Object(
  {
    id: Type.Optional(
      Uuid({ description: "The check-in's id, chosen on the device: required with notes" }),
    ),
    emotion_type_id: Type.Integer({ minimum: 1, maximum: 32767 }),
    intensity: Type.Integer({ minimum: 1, maximum: 10 }),
    notes: Type.Optional(EncryptedText(NOTES_MAX_BYTES, 'What the person wrote about it')),
  },
  {
    $id: 'JournalCheckinInput',
    additionalProperties: false,
    description: 'A check-in recorded with the journal, before or after it',
  },
);

/** How the uploaded ciphertext was made (docs/encryption.md). */
const Encryption = Type.Object(
  {
    algorithm: StringEnum(ENCRYPTION_ALGORITHMS, {
      description:
        'AES-256-GCM-STREAM: 64 KiB segments (docs/encryption.md, what the SDK sends); ' +
        'AES-256-GCM: the whole file at once (recordings from before segments)',
    }),
    iv: Type.String({
      pattern: '^[A-Za-z0-9+/_-]+={0,2}$',
      maxLength: 64,
      description:
        'base64: the 7-byte nonce prefix (segments) or the 12-byte IV (whole file); never reused',
    }),
    checksum_sha256: Type.String({
      pattern: '^[0-9a-f]{64}$',
      description: 'hex SHA-256 of the ciphertext',
    }),
  },
  {
    $id: 'RecordingEncryptionInput',
    additionalProperties: false,
    description: 'How the uploaded ciphertext was made (docs/encryption.md)',
  },
);

/** The `metadata` part of a journal upload (multipart/form-data, before the `audio` part). */
export const UploadMetadata = Type.Object(
  {
    id: Type.Optional(
      Uuid({
        description:
          "The journal's id, chosen on the device (a random UUID): required with a title, " +
          'whose envelope is bound to it. Default: the server makes one.',
      }),
    ),
    title: Type.Optional(EncryptedText(TITLE_MAX_BYTES, 'The title the person gave it')),
    journal_key: Type.Optional(
      KeyEnvelope(
        "The journal's own key, wrapped under the user's data key on the device: it " +
          'encrypts this journal’s audio and title (docs/encryption.md)',
      ),
    ),
    duration_seconds: Type.Integer({ minimum: 0, maximum: 86400 }),
    recorded_at: Type.Optional(
      Timestamp({ description: 'When it was recorded; not in the future (default: now)' }),
    ),
    data_key_id: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9._:-]{1,64}$',
        description: 'Which data key encrypted it (opaque)',
      }),
    ),
    encryption: Encryption,
    audio: Type.Object(
      {
        format: Type.String({
          pattern: '^[a-z0-9.+-]{1,20}$',
          description: 'e.g. aac, opus, m4a, wav (of the plaintext)',
        }),
        sample_rate: Type.Integer({ minimum: 8000, maximum: 192000 }),
        bit_rate: Type.Integer({ minimum: 8000, maximum: 3_200_000 }),
        channels: Type.Integer({ minimum: 1, maximum: 8 }),
      },
      { additionalProperties: false },
    ),
    pre_checkin: Type.Optional(CheckinPart),
    post_checkin: Type.Optional(CheckinPart),
  },
  {
    $id: 'UploadMetadata',
    additionalProperties: false,
    description:
      'The metadata part of a journal upload (JSON), sent before the audio part: what the ' +
      'server stores beside the ciphertext, and the check-ins recorded with it',
  },
);
export type UploadMetadata = Static<typeof UploadMetadata>;

/**
 * The `metadata` part of PUT /v1/journals/{id}/audio: a recording re-encrypted on the device
 * (the SDK moves whole-file recordings to segments, under a journal key of their own).
 */
export const ReencryptionMetadata = Type.Object(
  {
    encryption: Encryption,
    journal_key: Type.Optional(
      KeyEnvelope(
        'Required when the journal has no key yet (its new key, wrapped under the data key); ' +
          'refused when it has one, which stays (its share links keep opening)',
      ),
    ),
    title: Type.Optional(
      Nullable(
        EncryptedText(
          TITLE_MAX_BYTES,
          'The title under the new journal key: required when the journal gets its first ' +
            'key and has an encrypted title',
        ),
      ),
    ),
  },
  {
    $id: 'ReencryptionMetadata',
    additionalProperties: false,
    description:
      'The metadata part of PUT /v1/journals/{id}/audio (JSON), sent before the audio part',
  },
);
export type ReencryptionMetadata = Static<typeof ReencryptionMetadata>;

export const TitleBody = Type.Object(
  { title: Nullable(EncryptedText(TITLE_MAX_BYTES, 'The title the person gave it')) },
  { additionalProperties: false },
);

const Shift = Type.Object(
  {
    valence_change: Type.Number({ description: 'post valence − pre valence' }),
    intensity_change: Type.Integer(),
    affect_change: Type.Number({ description: 'change of valence × intensity / 10' }),
  },
  {
    $id: 'EmotionalShift',
    description: 'How the check-in after the journal differs from the one before',
  },
);

export const Journal = Type.Object(
  {
    id: Uuid(),
    title: Nullable(
      Type.String({
        description:
          'A text envelope (docs/encryption.md); plaintext only while `plaintext_fields` names it',
      }),
    ),
    plaintext_fields: Type.Array(StringEnum(['title']), {
      description:
        'Fields still held in plaintext, written before text was encrypted end to end: the SDK ' +
        're-encrypts them (PUT /v1/journals/{id}/title)',
    }),
    journal_key: Nullable(
      Type.String({
        description:
          "The journal's key wrapped under the data key; null for journals uploaded before " +
          'journal keys (their audio is under the data key itself)',
      }),
    ),
    duration_seconds: Type.Integer(),
    recorded_at: Timestamp(),
    recorded_local_date: Type.String({ format: 'date' }),
    created_at: Timestamp(),
    is_favorite: Type.Boolean(),
    data_key_id: Nullable(Type.String()),
    encryption: Type.Object({
      algorithm: Type.String(),
      iv: Type.String({ description: 'base64: nonce prefix (segments) or IV (whole file)' }),
      segment_size: Nullable(
        Type.Integer({
          description: 'Plaintext bytes per segment; null for a whole-file recording',
        }),
      ),
    }),
    audio: Type.Object({
      format: Type.String(),
      sample_rate: Type.Integer(),
      bit_rate: Type.Integer(),
      channels: Type.Integer(),
      file_size: Type.Integer(),
      checksum_sha256: Type.String(),
    }),
  },
  {
    $id: 'Journal',
    description:
      'A voice journal: its metadata in the clear, its title and audio encrypted on the device',
  },
);
export type JournalDto = Static<typeof Journal>;
export const JournalPage = Page(Journal, 'JournalPage');

export const JournalDetail = Type.Intersect(
  [
    Journal,
    Type.Object({
      checkins: Type.Object({
        pre: Nullable(Checkin),
        post: Nullable(Checkin),
        others: Type.Array(Checkin),
      }),
      emotional_shift: Nullable(Shift),
    }),
  ],
  {
    $id: 'JournalDetail',
    description: 'A journal with the check-ins recorded around it and the shift between them',
  },
);
export type JournalDetailDto = Static<typeof JournalDetail>;

export const FilterBody = Type.Object(
  {
    from: Type.Optional(
      Type.String({ format: 'date', description: 'First local day recorded, inclusive' }),
    ),
    to: Type.Optional(
      Type.String({ format: 'date', description: 'Last local day recorded, inclusive' }),
    ),
    favorites_only: Type.Optional(Type.Boolean()),
    emotion_type_ids: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 32767 }), {
        minItems: 1,
        maxItems: 50,
        uniqueItems: true,
        description: 'Of the pre or post check-in',
      }),
    ),
    duration_min: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })),
    duration_max: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type JournalFilter = Static<typeof FilterBody>;

export const FavoriteResult = Type.Object(
  { id: Uuid(), is_favorite: Type.Boolean() },
  { $id: 'JournalFavorite' },
);
export const DeletedResult = Type.Object(
  {
    id: Uuid(),
    deleted_at: Timestamp(),
    restorable_until: Timestamp({ description: 'POST /v1/journals/{id}/restore works until then' }),
  },
  { $id: 'DeletedJournal' },
);
export const ExportLink = Type.Object(
  {
    url: Type.String({
      format: 'uri',
      description: 'Signed; opens without a token until expires_at',
    }),
    expires_at: Timestamp(),
    format: StringEnum(['zip']),
  },
  { $id: 'ExportLink', description: 'A signed, time-limited download link' },
);
export type ExportLinkDto = Static<typeof ExportLink>;

/** The shapes of /v1/journals named in the OpenAPI document (share links: shares/schemas.ts). */
export const journalsComponents = [
  CheckinPart,
  Encryption,
  UploadMetadata,
  ReencryptionMetadata,
  Shift,
  Journal,
  JournalPage,
  JournalDetail,
  FavoriteResult,
  DeletedResult,
  ExportLink,
];
