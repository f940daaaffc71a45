// Password hashing (Argon2id on libuv's thread pool, never on the event loop) and the
// password policy. What the server receives may be a typed password or a key derived on
// the client (see key-params); either way it is hashed again here.
import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { Counter, type Registry } from 'prom-client';
import { unprocessable } from '../../platform/errors.ts';

export interface Argon2Params {
  memoryKib: number;
  iterations: number;
  parallelism: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies in constant work whether or not a hash is given (unknown accounts). */
  verify(password: string, passwordHash: string | undefined): Promise<boolean>;
  needsRehash(passwordHash: string): boolean;
}

/** `argon2id m=19456,t=2,p=1`: the algorithm and cost a PHC-format hash was made with. */
export function hashCost(passwordHash: string): string {
  const parts = passwordHash.split('$');
  return parts.length >= 5 ? `${parts[1]} ${parts[3]}` : 'unrecognised';
}

/**
 * `metrics`: counts every Argon2 operation by kind and cost (password_hash_operations_total),
 * for operators (hashing load) and to prove that a login for an unknown email does the same
 * work as one for a known email (one verification at the same cost).
 */
export async function createPasswordHasher(
  params: Argon2Params,
  metrics?: Registry,
): Promise<PasswordHasher> {
  const operations = new Counter({
    name: 'password_hash_operations_total',
    help: 'Argon2 password operations by kind (hash, verify) and cost (algorithm, m, t, p)',
    labelNames: ['operation', 'cost'] as const,
    registers: metrics ? [metrics] : [],
  });
  const options = {
    algorithm: 2 as Algorithm, // Algorithm.Argon2id (an ambient const enum, not importable as a value)
    memoryCost: params.memoryKib,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  };
  // Compared against when the email is unknown, so both paths cost one Argon2id verify.
  const dummyHash = await hash(randomBytes(32).toString('base64'), options);
  const current = `m=${params.memoryKib},t=${params.iterations},p=${params.parallelism}`;
  return {
    hash(password) {
      operations.inc({ operation: 'hash', cost: hashCost(dummyHash) });
      return hash(password, options);
    },
    async verify(password, passwordHash) {
      const against = passwordHash ?? dummyHash;
      operations.inc({ operation: 'verify', cost: hashCost(against) });
      try {
        const ok = await verify(against, password);
        return ok && passwordHash !== undefined;
      } catch {
        return false;
      }
    },
    needsRehash(passwordHash) {
      const parts = passwordHash.split('$');
      return parts[1] !== 'argon2id' || parts[3] !== current;
    },
  };
}

const MIN_LENGTH = 8;
const MAX_TYPED_LENGTH = 1024;
let commonPasswords: Set<string> | undefined;

function isCommon(password: string): boolean {
  commonPasswords ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return commonPasswords.has(password.toLowerCase());
}

/** The list shipped with the server (@zxcvbn-ts/language-common, about 49,000 entries). */
export const commonPasswordCount = (): number => {
  isCommon('');
  return commonPasswords?.size ?? 0;
};

export function assertPasswordPolicy(password: string, pointer: string, email?: string): void {
  const field = [{ pointer, message: '' }];
  if ([...password].length < MIN_LENGTH) {
    field[0]!.message = `must be at least ${MIN_LENGTH} characters`;
    throw unprocessable(
      'weak-password',
      `The password must be at least ${MIN_LENGTH} characters long`,
      field,
    );
  }
  if (password.length > MAX_TYPED_LENGTH) {
    field[0]!.message = 'is too long';
    throw unprocessable('weak-password', 'The password is too long', field);
  }
  if (
    isCommon(password) ||
    (email !== undefined && password.toLowerCase() === email.toLowerCase())
  ) {
    field[0]!.message = 'is too common';
    throw unprocessable(
      'weak-password',
      'This password is too common and easy to guess; choose another one',
      field,
    );
  }
}
