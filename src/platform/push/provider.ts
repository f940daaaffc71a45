// Chooses the push provider from the configuration.
import { readFile } from 'node:fs/promises';
import { Type } from 'typebox';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../../config.ts';
import { ConfigError } from '../../config.ts';
import type { Clock } from '../clock.ts';
import { checkContent } from '../content.ts';
import { createFcmProvider } from './fcm.ts';
import { createLocalPushProvider } from './local.ts';
import type { PushProvider } from './push.ts';

const ServiceAccountFile = Type.Object({
  project_id: Type.String({ minLength: 1 }),
  client_email: Type.String({ minLength: 1 }),
  private_key: Type.String({ minLength: 1 }),
  token_uri: Type.String({ pattern: '^https?://' }),
});

export async function createPushProvider(
  config: Config,
  log: Logger,
  clock: Clock,
  metrics: Registry,
): Promise<PushProvider> {
  if (config.push.provider === 'local') {
    return createLocalPushProvider(config.dataDir, () => clock.now());
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(config.push.serviceAccountFile, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `FCM_SERVICE_ACCOUNT_FILE: cannot read a JSON file (${(error as Error).message})`,
    );
  }
  let serviceAccount;
  try {
    serviceAccount = checkContent(ServiceAccountFile, parsed, 'FCM_SERVICE_ACCOUNT_FILE');
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return createFcmProvider({ serviceAccount, apiUrl: config.push.apiUrl, log, metrics });
}
