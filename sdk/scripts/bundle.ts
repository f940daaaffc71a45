// After `tsc -p sdk/tsconfig.build.json`: bundles the built SDK for browsers (one ES
// module, minified, as an app's bundler would make it) and reports its size. The Chromium
// tests load this file; the README quotes the figures.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const outfile = 'sdk/dist/browser/amira-client.min.js';
await build({
  entryPoints: ['sdk/dist/index.js'],
  bundle: true,
  format: 'esm',
  minify: true,
  platform: 'browser',
  target: 'es2020',
  outfile,
  logLevel: 'warning',
});
const bytes = readFileSync(outfile);
console.log(
  `${outfile}: ${(bytes.length / 1024).toFixed(1)} KiB, ${(gzipSync(bytes).length / 1024).toFixed(1)} KiB gzipped`,
);
