// Examples of /v1/journals and share links for the OpenAPI document (checked against their
// schemas by the compiler here and by Ajv in test/platform/openapi-examples.test.ts).
import type { Static } from 'typebox';
import {
  exampleIds,
  keyEnvelopes,
  recordingCiphers,
  textEnvelopes,
} from '../../platform/http/openapi/example-values.ts';
import type { Examples } from '../../platform/http/openapi/operation-docs.ts';
import { SEGMENT_SIZE } from './schemas.ts';
import type {
  DeletedResult,
  ExportLinkDto,
  JournalDetailDto,
  JournalDto,
  JournalFilter,
  ReencryptionMetadata,
  TitleBody,
  UploadMetadata,
} from './schemas.ts';
import type { CreateShareBody, PublicShareDto, ShareDto } from './shares/schemas.ts';

const ANXIETY = 14;
const CALM = 2;

const luciaMetadata: UploadMetadata = {
  id: exampleIds.luciaJournal,
  title: textEnvelopes.luciaTitle,
  journal_key: keyEnvelopes.luciaJournalKey,
  duration_seconds: 184,
  recorded_at: '2026-03-09T14:12:00.000Z',
  data_key_id: 'dk-2026-01',
  encryption: { algorithm: 'AES-256-GCM-STREAM', ...recordingCiphers.lucia },
  audio: { format: 'aac', sample_rate: 44100, bit_rate: 96000, channels: 1 },
  pre_checkin: { id: exampleIds.luciaCheckin, emotion_type_id: ANXIETY, intensity: 7 },
  post_checkin: {
    id: exampleIds.luciaPostCheckin,
    emotion_type_id: CALM,
    intensity: 5,
    notes: textEnvelopes.luciaNote,
  },
};

const emmaMetadata: UploadMetadata = {
  id: exampleIds.emmaJournal,
  title: textEnvelopes.emmaTitle,
  journal_key: keyEnvelopes.emmaJournalKey,
  duration_seconds: 95,
  encryption: { algorithm: 'AES-256-GCM-STREAM', ...recordingCiphers.emma },
  audio: { format: 'opus', sample_rate: 48000, bit_rate: 32000, channels: 1 },
};

export const uploadExamples: Examples<{ metadata: UploadMetadata; audio: string }> = {
  lucia: {
    summary: 'Lucía’s recording on her way to work, with a check-in before and after',
    description:
      'The metadata part as JSON; the audio part is the ciphertext the SDK made (64 KiB ' +
      'segments under the journal key), sent as application/octet-stream.',
    value: { metadata: luciaMetadata, audio: '(ciphertext: 1,245,312 bytes)' },
  },
  emma: {
    summary: 'Emma’s short recording, without check-ins',
    value: { metadata: emmaMetadata, audio: '(ciphertext: 392,960 bytes)' },
  },
};

export const reencryptionExamples: Examples<{ metadata: ReencryptionMetadata; audio: string }> = {
  firstKey: {
    summary: 'An older whole-file recording moved to segments under a journal key of its own',
    value: {
      metadata: {
        encryption: { algorithm: 'AES-256-GCM-STREAM', ...recordingCiphers.lucia },
        journal_key: keyEnvelopes.luciaJournalKey,
        title: textEnvelopes.luciaTitle,
      },
      audio: '(ciphertext: 1,245,312 bytes)',
    },
  },
};

export const luciaJournal: JournalDto = {
  id: exampleIds.luciaJournal,
  title: textEnvelopes.luciaTitle,
  plaintext_fields: [],
  journal_key: keyEnvelopes.luciaJournalKey,
  duration_seconds: 184,
  recorded_at: '2026-03-09T14:12:00.000Z',
  recorded_local_date: '2026-03-09',
  created_at: '2026-03-09T14:15:31.000Z',
  is_favorite: false,
  data_key_id: 'dk-2026-01',
  encryption: {
    algorithm: 'AES-256-GCM-STREAM',
    iv: recordingCiphers.lucia.iv,
    segment_size: SEGMENT_SIZE,
  },
  audio: {
    format: 'aac',
    sample_rate: 44100,
    bit_rate: 96000,
    channels: 1,
    file_size: 1245312,
    checksum_sha256: recordingCiphers.lucia.checksum_sha256,
  },
};

const emmaJournal: JournalDto = {
  id: exampleIds.emmaJournal,
  title: textEnvelopes.emmaTitle,
  plaintext_fields: [],
  journal_key: keyEnvelopes.emmaJournalKey,
  duration_seconds: 95,
  recorded_at: '2026-03-08T20:03:00.000Z',
  recorded_local_date: '2026-03-08',
  created_at: '2026-03-08T20:04:12.000Z',
  is_favorite: true,
  data_key_id: null,
  encryption: {
    algorithm: 'AES-256-GCM-STREAM',
    iv: recordingCiphers.emma.iv,
    segment_size: SEGMENT_SIZE,
  },
  audio: {
    format: 'opus',
    sample_rate: 48000,
    bit_rate: 32000,
    channels: 1,
    file_size: 392960,
    checksum_sha256: recordingCiphers.emma.checksum_sha256,
  },
};

export const journalExamples: Examples<JournalDto> = {
  lucia: { summary: 'Lucía’s recording (title and audio encrypted)', value: luciaJournal },
  emma: { summary: 'Emma’s favorite recording', value: emmaJournal },
};

const luciaCheckin = {
  id: exampleIds.luciaCheckin,
  emotion_type_id: ANXIETY,
  intensity: 7,
  context: 'pre_journal' as const,
  notes: null,
  plaintext_fields: [],
  related_journal_id: exampleIds.luciaJournal,
  related_tool_id: null,
  client_id: null,
  created_at: '2026-03-09T14:12:00.000Z',
  local_date: '2026-03-09',
};

export const journalDetailExamples: Examples<JournalDetailDto> = {
  lucia: {
    summary: 'Lucía felt calmer after recording',
    value: {
      ...luciaJournal,
      checkins: {
        pre: luciaCheckin,
        post: {
          ...luciaCheckin,
          id: exampleIds.luciaPostCheckin,
          emotion_type_id: CALM,
          intensity: 5,
          context: 'post_journal',
          notes: textEnvelopes.luciaNote,
          created_at: '2026-03-09T14:15:31.000Z',
        },
        others: [],
      },
      emotional_shift: { valence_change: 1.2, intensity_change: -2, affect_change: 0.72 },
    },
  },
  emma: {
    summary: 'Emma’s recording, without check-ins',
    value: {
      ...emmaJournal,
      checkins: { pre: null, post: null, others: [] },
      emotional_shift: null,
    },
  },
};

export const journalPageExamples: Examples<{ items: JournalDto[]; next_cursor: string | null }> = {
  lucia: {
    summary: 'The newest of Lucía’s recordings, with more to come',
    value: {
      items: [luciaJournal],
      next_cursor: 'eyJ0IjoiMjAyNi0wMy0wOVQxNDoxMjowMC4wMDBaIn0',
    },
  },
};

export const titleExamples: Examples<Static<typeof TitleBody>> = {
  encrypted: {
    summary: 'A title encrypted on the device under the journal key',
    value: { title: textEnvelopes.luciaTitle },
  },
  removed: { summary: 'Remove the title', value: { title: null } },
};

export const filterExamples: Examples<JournalFilter> = {
  favorites: {
    summary: 'Emma’s favorite recordings of March',
    value: { from: '2026-03-01', to: '2026-03-31', favorites_only: true },
  },
  anxious: {
    summary: 'Lucía’s recordings made while anxious, up to five minutes',
    value: { emotion_type_ids: [ANXIETY], duration_max: 300, limit: 10 },
  },
};

export const deletedExamples: Examples<Static<typeof DeletedResult>> = {
  lucia: {
    summary: 'In the trash for 30 days',
    value: {
      id: exampleIds.luciaJournal,
      deleted_at: '2026-03-10T08:00:00.000Z',
      restorable_until: '2026-04-09T08:00:00.000Z',
    },
  },
};

export const exportLinkExamples: Examples<ExportLinkDto> = {
  lucia: {
    summary: 'A link valid for 15 minutes',
    value: {
      url: 'https://api.amirawellness.com/v1/journals/exports/eyJqIjoiNzQzZWFiYWEiLCJlIjoxNzczMTQ0MDAwfQ.Jq3vX0a9',
      expires_at: '2026-03-10T08:15:00.000Z',
      format: 'zip',
    },
  },
};

export const createShareExamples: Examples<CreateShareBody> = {
  therapist: {
    summary: 'Lucía shares a recording with her therapist for three days, two downloads',
    value: {
      id: exampleIds.share,
      expires_in_days: 3,
      max_downloads: 2,
      label: textEnvelopes.shareLabel,
    },
  },
  defaults: { summary: 'The defaults: 7 days, no download limit, no label', value: {} },
};

const share: ShareDto = {
  id: exampleIds.share,
  journal_id: exampleIds.luciaJournal,
  label: textEnvelopes.shareLabel,
  url: `https://api.amirawellness.com/s/${exampleIds.share}`,
  status: 'active',
  expires_at: '2026-03-12T15:00:00.000Z',
  max_downloads: 2,
  downloads: 0,
  revoked_at: null,
  created_at: '2026-03-09T15:00:00.000Z',
};

export const shareExamples: Examples<ShareDto> = {
  therapist: { summary: 'The link for Lucía’s therapist', value: share },
};

export const shareListExamples: Examples<{ items: ShareDto[] }> = {
  lucia: {
    summary: 'One open link and one revoked',
    value: {
      items: [
        share,
        {
          ...share,
          id: exampleIds.session,
          label: null,
          status: 'revoked',
          max_downloads: null,
          revoked_at: '2026-03-05T10:00:00.000Z',
          created_at: '2026-03-04T18:30:00.000Z',
          expires_at: '2026-03-11T18:30:00.000Z',
        },
      ],
    },
  },
};

export const publicShareExamples: Examples<PublicShareDto> = {
  therapist: {
    summary: 'What the share page learns before the download',
    value: {
      id: exampleIds.share,
      journal_id: exampleIds.luciaJournal,
      title: textEnvelopes.luciaTitle,
      duration_seconds: 184,
      recorded_at: '2026-03-09T14:12:00.000Z',
      expires_at: '2026-03-12T15:00:00.000Z',
      downloads_left: 2,
      encryption: { algorithm: 'AES-256-GCM-STREAM', iv: recordingCiphers.lucia.iv },
      audio: {
        format: 'aac',
        file_size: 1245312,
        checksum_sha256: recordingCiphers.lucia.checksum_sha256,
      },
    },
  },
};
