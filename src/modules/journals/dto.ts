// A journal as the API shows it: its metadata, and in detail the check-ins recorded around
// it with the emotional shift between the pre and the post one.
import type { CheckinDto, EmotionCatalog } from '../emotions/index.ts';
import type { JournalWithAudio } from './repository.ts';
import { SEGMENT_SIZE, type JournalDetailDto, type JournalDto } from './schemas.ts';

export function toJournalDto(row: JournalWithAudio): JournalDto {
  return {
    id: row.id,
    title: row.title,
    plaintext_fields: row.titlePlaintext ? ['title'] : [],
    journal_key: row.keyEnvelope,
    duration_seconds: row.durationSeconds,
    recorded_at: row.recordedAt.toISOString(),
    recorded_local_date: row.recordedLocalDate,
    created_at: row.createdAt.toISOString(),
    is_favorite: row.isFavorite,
    data_key_id: row.dataKeyId,
    encryption: {
      algorithm: row.encryptionAlgorithm,
      iv: row.encryptionIv.toString('base64'),
      segment_size: row.encryptionAlgorithm === 'AES-256-GCM-STREAM' ? SEGMENT_SIZE : null,
    },
    audio: {
      format: row.audio.format,
      sample_rate: row.audio.sampleRate,
      bit_rate: row.audio.bitRate,
      channels: row.audio.channels,
      file_size: row.audio.fileSize,
      checksum_sha256: row.audio.checksum,
    },
  };
}

export function toJournalDetail(
  row: JournalWithAudio,
  checkins: CheckinDto[],
  catalog: EmotionCatalog,
): JournalDetailDto {
  const pre = checkins.find((c) => c.context === 'pre_journal') ?? null;
  const post = [...checkins].reverse().find((c) => c.context === 'post_journal') ?? null;
  const others = checkins.filter((c) => c !== pre && c !== post);
  let shift: JournalDetailDto['emotional_shift'] = null;
  const preType = pre ? catalog.byId(pre.emotion_type_id) : undefined;
  const postType = post ? catalog.byId(post.emotion_type_id) : undefined;
  if (pre && post && preType && postType) {
    const round = (n: number) => Number(n.toFixed(3));
    shift = {
      valence_change: round(postType.valence - preType.valence),
      intensity_change: post.intensity - pre.intensity,
      affect_change: round(
        (postType.valence * post.intensity) / 10 - (preType.valence * pre.intensity) / 10,
      ),
    };
  }
  return { ...toJournalDto(row), checkins: { pre, post, others }, emotional_shift: shift };
}
