// Roles and the scopes each carries. The role is stored on the user and copied into the
// access token at issue; routes check a scope (requireScope) or a role (requireRole).
export const ROLES = ['user', 'premium', 'content_manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = ['app', 'premium', 'content:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const SCOPES_BY_ROLE: Record<Role, readonly Scope[]> = {
  user: ['app'],
  premium: ['app', 'premium'],
  content_manager: ['app', 'content:write'],
  admin: ['app', 'premium', 'content:write', 'admin'],
};

export const scopesForRole = (role: Role): readonly Scope[] => SCOPES_BY_ROLE[role];

export const isRole = (value: unknown): value is Role => ROLES.includes(value as Role);
