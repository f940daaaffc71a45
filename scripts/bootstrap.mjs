/* global console, process */
// Runs before `npm start` and `npm test`: installs the locked dependencies (which include
// the pinned Node.js 24 the scripts then run on) when node_modules does not hold exactly
// what package-lock.json says. Plain JavaScript so that it runs on whatever Node.js npm has
// (ES modules and node: imports: Node.js 14 or newer; npm 7 or newer reads the lockfile).
//
// What is installed is read from npm's own record, node_modules/.package-lock.json, which
// `npm ci` and `npm install` both write: so `npm ci` followed by `npm start` installs once,
// and a changed lockfile (a pull, a new dependency) installs again.
import { existsSync, readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const readJson = (file) => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
};

/** Why `dir` needs `npm ci`, or undefined when node_modules matches the lockfile. */
export function installReason(dir) {
  if (!existsSync(path.join(dir, 'node_modules', '.bin', 'node'))) return 'no node_modules';
  const locked = readJson(path.join(dir, 'package-lock.json'))?.packages;
  const installed = readJson(path.join(dir, 'node_modules', '.package-lock.json'))?.packages;
  if (!locked || !installed) return 'no record of the installed packages';
  for (const [name, entry] of Object.entries(locked)) {
    if (name === '') continue; // the project itself
    const present = installed[name];
    // Optional packages for other platforms (another CPU or libc) are never installed.
    if (!present) {
      if (entry.optional) continue;
      return `${name} is missing`;
    }
    if (present.version !== entry.version || present.integrity !== entry.integrity)
      return `${name} differs from the lockfile`;
  }
  for (const name of Object.keys(installed))
    if (!(name in locked)) return `${name} is not in the lockfile`;
  return undefined;
}

const projectDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const reason = installReason(projectDir);
  if (reason) {
    console.log(`Installing dependencies from package-lock.json (npm ci): ${reason}`);
    execSync('npm ci --no-audit --no-fund', { stdio: 'inherit', cwd: projectDir });
  }
}
