// What an account written before end-to-end text and segments holds, made as the SDK of
// then made it: the user's data key (unwrapped from the password envelope, as a signed-in
// device holds it) and recordings encrypted whole under a key, with no segments.
import {
  deriveKeys,
  encryptAudio,
  unwrapDataKey,
  type AmiraClient,
  type SecretKey,
} from '../../sdk/src/index.ts';
import type { TestApp } from './app.ts';
import { metadataFor, multipart } from './journals.ts';

/** The data key a device signed in with `password` holds. */
export async function dataKeyOf(
  t: TestApp,
  phone: AmiraClient,
  user: { email: string; password: string; token: string },
): Promise<SecretKey> {
  const { kek } = await deriveKeys(user.password, await phone.keyParams(user.email));
  const envelopes = await t.request('GET', '/v1/users/me/key-envelopes', { token: user.token });
  const items = envelopes.body.items as { label: string; envelope: string }[];
  return unwrapDataKey(items.find((e) => e.label === 'password')!.envelope, kek);
}

/** Uploads as the SDK did before segments: the whole file under `key`. */
export async function uploadWholeFile(
  t: TestApp,
  token: string,
  audio: Uint8Array,
  key: SecretKey,
  extra: Record<string, unknown> = {},
): Promise<{ id: string }> {
  const sealed = await encryptAudio(audio, key);
  const form = multipart([
    { name: 'metadata', value: JSON.stringify(metadataFor(sealed, extra)) },
    { name: 'audio', value: Buffer.from(sealed.ciphertext), filename: 'audio.bin' },
  ]);
  const response = await t.request('POST', '/v1/journals', {
    token,
    body: form.body,
    headers: { 'content-type': form.contentType },
  });
  if (response.status !== 201) throw new Error(`upload failed: ${response.status} ${response.raw}`);
  return response.body as { id: string };
}
