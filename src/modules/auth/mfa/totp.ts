// TOTP (RFC 6238) through otplib, with the defaults every authenticator app understands
// (SHA-1, 6 digits, 30 s). Codes are accepted one step either side of now (clock drift),
// and never for a time step at or before the last one accepted (a code works once).
import { generate, generateSecret, generateURI, verify } from 'otplib';

const PERIOD_SECONDS = 30;
const ISSUER = 'Amira Wellness';

export const newTotpSecret = (): string => generateSecret();

export const totpUri = (secret: string, accountName: string): string =>
  generateURI({ issuer: ISSUER, label: accountName, secret });

/** The time step the code belongs to, or undefined when it is wrong, stale or already used. */
export async function matchTotp(
  secret: string,
  code: string,
  now: Date,
  lastUsedStep: number | null,
): Promise<number | undefined> {
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: PERIOD_SECONDS,
    ...(lastUsedStep !== null ? { afterTimeStep: lastUsedStep } : {}),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/** The current code (tests and tooling; the server never sends codes anywhere). */
export const totpCode = (secret: string, now: Date): Promise<string> =>
  generate({ secret, epoch: Math.floor(now.getTime() / 1000) });
