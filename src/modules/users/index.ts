// The users module: the account as its owner and administrators manage it (the API's
// /v1/users/me and /v1/admin/users). Profile, devices and push tokens, email change, the
// full data export, deferred deletion with its ledger and purge, and user administration.
//
// Table ownership: this module owns data_exports (tables.ts) and the deletion ledger (in
// object storage). The account row, its profile and devices are the auth module's tables,
// because registration and sign-in write them together with the session in one
// transaction; this module reads and changes them only through the ports auth declares and
// the composition root passes in (AccountsPort, DevicesPort, SessionsPort, AccountMailPort,
// AuditPort). The dependency goes one way: users uses auth, auth never uses users. See
// docs/architecture.md ("Accounts: auth and users").
import type { Platform } from '../../platform/platform.ts';
import { registerJobs } from '../../platform/jobs/jobs.ts';
import type { AppModule } from '../module.ts';
import type {
  AccountMailPort,
  AccountsPort,
  AuditPort,
  DevicesPort,
  SessionsPort,
} from '../auth/index.ts';
import { usersJobs, type UsersJobs } from './jobs.ts';

export { usersSchedules } from './jobs.ts';
import { createProfileService } from './profile/service.ts';
import { profileRoutes } from './profile/routes.ts';
import { createDevicesService } from './devices/service.ts';
import { devicesRoutes } from './devices/routes.ts';
import { createEmailChangeService } from './email-change/service.ts';
import { emailChangeRoutes } from './email-change/routes.ts';
import { createDeletionService, type DeletionService } from './deletion/service.ts';
import { createDeletionLedger } from './deletion/ledger.ts';
import { deletionRoutes } from './deletion/routes.ts';
import {
  createDataExportService,
  type DataExportDeps,
  type DataExportService,
} from './data-export/service.ts';
import { dataExportRoutes } from './data-export/routes.ts';
import { createAdminService } from './admin/service.ts';
import { adminRoutes } from './admin/routes.ts';
import { adminComponents } from './admin/schemas.ts';
import { DataExport } from './data-export/schemas.ts';
import { AccountDeletionScheduled } from './deletion/schemas.ts';
import { DeviceList } from './devices/schemas.ts';

/** What the users module uses of the auth module (its ports, see auth/ports.ts). */
/** The shapes of /v1/users and /v1/admin/users named in the OpenAPI document. */
export const usersComponents = [
  ...adminComponents,
  DataExport,
  AccountDeletionScheduled,
  DeviceList,
];

export interface UsersModuleDeps {
  accounts: AccountsPort;
  devices: DevicesPort;
  sessions: SessionsPort;
  mail: AccountMailPort;
  audit: AuditPort;
}

export interface UsersModule extends AppModule {
  /** Deferred deletion: the purge (the scheduled job's work) and, after a restore, reapplying it. */
  deletion: DeletionService;
  /** Full personal-data exports (the cleanup is also a scheduled job). */
  dataExports: DataExportService;
  jobs: UsersJobs;
}

export async function createUsersModule(
  platform: Platform,
  ports: UsersModuleDeps,
): Promise<UsersModule> {
  const { config, db, clock, jobs, log } = platform;
  const { accounts, devices, sessions, mail, audit } = ports;

  const deletion = createDeletionService({
    db,
    clock,
    accounts,
    devices,
    sessions,
    mail,
    audit,
    deletion: platform.deletion,
    deletionGraceDays: config.account.deletionGraceDays,
    ledger: createDeletionLedger(platform.storage, platform.secrets),
    log,
  });
  const exportDeps: DataExportDeps = {
    db,
    clock,
    storage: platform.storage,
    secrets: platform.secrets,
    registry: platform.dataExport,
    limiter: platform.limiters({ name: 'data-export-user', points: 3, durationSeconds: 86_400 }),
    accounts,
    mail,
    audit,
    settings: {
      ttlDays: config.account.exportTtlDays,
      linkTtlSeconds: config.journals.exportLinkTtlSeconds,
      publicBaseUrl: config.publicBaseUrl,
    },
    log,
  };
  const moduleJobs = usersJobs({ deletion, exports: exportDeps, log });
  await registerJobs(jobs, moduleJobs.declared);
  const dataExports = createDataExportService({
    ...exportDeps,
    enqueueBuild: (tx, payload) => jobs.enqueue(tx, moduleJobs.buildDataExport, payload),
  });
  platform.deletion.register('users.data-exports', (tx, userId) =>
    dataExports.deleteAllOf(tx, userId),
  );

  const profile = createProfileService({ db, clock, accounts });
  const deviceService = createDevicesService({ db, clock, devices, sessions, audit });
  const emailChange = createEmailChangeService({ db, clock, accounts, mail, audit });
  const admin = createAdminService({ db, clock, accounts, sessions, audit });

  return {
    name: 'users',
    prefixes: ['/v1/users', '/v1/admin/users', '/v1/auth/confirm-email-change'],
    deletion,
    dataExports,
    jobs: moduleJobs,
    async routes(app) {
      await app.register(profileRoutes, { prefix: '/v1/users/me', service: profile });
      await app.register(deletionRoutes, { prefix: '/v1/users/me', service: deletion });
      await app.register(devicesRoutes, { prefix: '/v1/users/me', service: deviceService });
      await app.register(emailChangeRoutes, { service: emailChange });
      await app.register(dataExportRoutes, {
        prefix: '/v1/users/me/export',
        service: dataExports,
      });
      await app.register(adminRoutes, { prefix: '/v1/admin/users', service: admin });
    },
  };
}
