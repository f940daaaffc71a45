// Row-to-response mapping for the auth module.
import { countryOfTimeZone } from '../../platform/countries.ts';
import type { UserRow } from './repository.ts';
import type { DeviceDto, SessionDto, UserDto } from './schemas.ts';
import type { SecurityEventDto } from './security-events/schemas.ts';
import type { Platform } from './values.ts';

export const iso = (date: Date): string => date.toISOString();
export const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toUserDto(row: UserRow): UserDto {
  return {
    id: row.id,
    email: row.email,
    email_verified: row.emailVerified,
    display_name: row.displayName,
    language_preference: row.languagePreference,
    time_zone: row.timeZone,
    country: row.country ?? countryOfTimeZone(row.timeZone),
    country_chosen: row.country !== null,
    role: row.role,
    account_status: row.accountStatus,
    preferences: row.preferences ?? {},
    settings: row.settings ?? {},
    created_at: iso(row.createdAt),
    last_login_at: isoOrNull(row.lastLoginAt),
    sign_in_alerts: row.signInAlerts,
    mfa_enabled: row.mfaEnabled,
  };
}

export function toSessionDto(
  row: {
    id: string;
    ip: string | null;
    userAgent: string | null;
    createdAt: Date;
    lastUsedAt: Date;
    deviceName: string | null;
    platform: string | null;
  },
  currentSessionId: string,
): SessionDto {
  return {
    id: row.id,
    device_name: row.deviceName,
    platform: row.platform,
    ip: row.ip,
    user_agent: row.userAgent,
    created_at: iso(row.createdAt),
    last_used_at: iso(row.lastUsedAt),
    is_current: row.id === currentSessionId,
  };
}

export function toDeviceDto(row: {
  id: string;
  deviceId: string;
  deviceName: string | null;
  platform: Platform;
  pushToken: string | null;
  lastActiveAt: Date;
  isActive: boolean;
  createdAt: Date;
}): DeviceDto {
  return {
    id: row.id,
    device_id: row.deviceId,
    device_name: row.deviceName,
    platform: row.platform,
    has_push_token: row.pushToken !== null,
    last_active: iso(row.lastActiveAt),
    is_active: row.isActive,
    created_at: iso(row.createdAt),
  };
}

export function toSecurityEventDto(row: {
  id: string;
  type: string;
  ip: string | null;
  userAgent: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
}): SecurityEventDto {
  return {
    id: row.id,
    type: row.type,
    ip: row.ip,
    user_agent: row.userAgent,
    metadata: row.metadata,
    created_at: iso(row.createdAt),
  };
}
