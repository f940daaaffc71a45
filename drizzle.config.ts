import { defineConfig } from 'drizzle-kit';

// Tables live next to the module that owns them; drizzle-kit reads them all and writes
// SQL migrations to migrations/. Row-level security and other hand-written SQL go in
// custom migrations (`npm run db:custom -- --name=<what>`).
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/modules/*/tables.ts', './src/platform/*/tables.ts'],
  out: './migrations',
});
