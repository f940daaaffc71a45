/* global console */
// Runs before `npm start` and `npm test`: installs the locked dependencies (which include
// the pinned Node.js 24 the scripts then run on) when node_modules is missing or older
// than package-lock.json. Plain JavaScript so that it runs on whatever Node.js npm has.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';

const marker = 'node_modules/.amira-lockfile-hash';
const lockHash = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex');
const installedHash = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : '';

if (installedHash !== lockHash || !existsSync('node_modules/.bin/node')) {
  console.log('Installing dependencies from package-lock.json (npm ci)...');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
  writeFileSync(marker, lockHash + '\n');
}
