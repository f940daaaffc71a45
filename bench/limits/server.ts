// A limit server, one per process: `node bench/limits/server.ts <kind>` with LIMIT_CONFIG
// (JSON, see common.ts) in the environment. Bare Fastify (no logger, no hooks), listening on
// a free loopback port; prints {"url": ...} once ready and closes on SIGTERM. bench:http
// starts and stops these beside the API (bench/http-load.ts).
import Fastify from 'fastify';
import { LIMIT_KINDS, limitConfig, type LimitKind, type Sql } from './common.ts';
import { registerList } from './list.ts';
import { registerCreate } from './create.ts';
import { registerTools } from './tools.ts';
import { registerRefresh } from './refresh.ts';
import { registerRequestLog } from './duties.ts';

const kind = process.argv[2] as LimitKind;
const config = limitConfig();
const app = Fastify({ logger: false, ajv: { customOptions: { strict: false } } });
if (config.duties) registerRequestLog(app);
let sql: Sql;
switch (kind) {
  case 'list-rls':
    sql = await registerList(app, config, 'rls');
    break;
  case 'list-norls':
    sql = await registerList(app, config, 'norls');
    break;
  case 'create':
    sql = await registerCreate(app, config);
    break;
  case 'tools':
    sql = await registerTools(app, config);
    break;
  case 'refresh':
    sql = await registerRefresh(app, config);
    break;
  default:
    throw new Error(`unknown limit ${String(kind)}; one of ${LIMIT_KINDS.join(', ')}`);
}
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url, pid: process.pid }) + '\n');
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => sql.end({ timeout: 5 }))
    .finally(() => process.exit(0));
});
