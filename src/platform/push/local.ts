// The embedded push provider: records each push as a JSON line under DATA_DIR/push, so a
// developer can see what a phone would have received. Tokens are shortened in the file.
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { PushProvider } from './push.ts';

export function createLocalPushProvider(dataDir: string, now: () => Date): PushProvider {
  const dir = path.join(dataDir, 'push');
  const file = path.join(dir, 'pushes.jsonl');
  return {
    kind: 'local',
    async send(message) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const messageId = randomUUID();
      const line = {
        message_id: messageId,
        at: now().toISOString(),
        token_end: message.token.slice(-6),
        title: message.title,
        body: message.body,
        data: message.data,
        collapse_id: message.collapseId,
      };
      await appendFile(file, JSON.stringify(line) + '\n', { mode: 0o600 });
      return { ok: true, messageId };
    },
  };
}
