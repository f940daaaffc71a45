// Text envelopes as the SDK makes them (sdk/src/crypto.ts), under a key of this test
// process: the server never sees it, as it never sees a user's data key.
import { randomUUID } from 'node:crypto';
import { decryptText, encryptText, generateDataKey, type TextField } from '../../sdk/src/crypto.ts';

export const testTextKey = await generateDataKey();

/** An id chosen on the device and the text encrypted for that record's field. */
export async function sealed(
  field: TextField,
  text: string,
  id: string = randomUUID(),
): Promise<{ id: string; envelope: string }> {
  return { id, envelope: await encryptText(text, testTextKey, field, id) };
}

export const openText = (field: TextField, envelope: string, id: string) =>
  decryptText(envelope, testTextKey, field, id);
