// Support resources for people who are struggling (issue 20): crisis lines and emergency
// numbers by country and language, from content/support/resources.json (docs/support.md).
import type { AppModule } from '../module.ts';
import { loadSupportCatalog, type SupportCatalog } from './catalog.ts';
import { supportRoutes } from './routes.ts';

export { supportComponents } from './schemas.ts';

export interface SupportModule extends AppModule {
  catalog: SupportCatalog;
}

export async function createSupportModule(): Promise<SupportModule> {
  const catalog = await loadSupportCatalog();
  return {
    name: 'support',
    prefixes: ['/v1/support'],
    catalog,
    async routes(app) {
      await app.register(supportRoutes, { prefix: '/v1/support', catalog });
    },
  };
}
