// Values the auth module's tables, schemas and rules share (kept out of tables.ts, so that
// only repositories import the tables).

/** pending_deletion: the owner asked to delete it; purged at purge_after unless they come back. */
export const ACCOUNT_STATUSES = ['active', 'locked', 'pending_deletion'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const LANGUAGES = ['es', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const PLATFORMS = ['ios', 'android', 'web', 'other'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** What a single-use token sent by email is for. */
export const TOKEN_PURPOSES = ['verify_email', 'reset_password', 'change_email'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];
