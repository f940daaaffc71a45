// The contract every module fulfils, so that app.ts can mount any subset of them
// (`serve --services auth,journals`) and the worker can run every module's jobs.
import type { FastifyInstance } from 'fastify';

export interface AppModule {
  name: string;
  /** URL prefixes the module serves (for the gateway configuration and docs). */
  prefixes: string[];
  /** Mounts the module's routes. */
  routes(app: FastifyInstance): Promise<void>;
  /** Work to do once the process starts serving (e.g. load a catalog). */
  start?(): Promise<void>;
}
