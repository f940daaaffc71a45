// Builds every module in dependency order. Services of all modules are built even when a
// process mounts only some routes (split deployment): they are cheap, and jobs of every
// module may run in any process.
import type { Platform } from '../platform/platform.ts';
import type { AppModule } from './module.ts';
import { createAuthModule, type AuthModule } from './auth/index.ts';

export interface Modules {
  auth: AuthModule;
  all: AppModule[];
}

export const MODULE_NAMES = ['auth'] as const;

export async function createModules(platform: Platform): Promise<Modules> {
  const auth = await createAuthModule(platform);
  return { auth, all: [auth] };
}
