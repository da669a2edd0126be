/**
 * Builds the web console into apps/console/dist when its sources changed since the last build
 * (or always, with --force). `npm start` calls it before the gateway starts; `npm test` before the
 * browser specs. The sources' hash is kept beside the build, so an unchanged console costs a
 * directory walk, not a build.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '../..');
const consoleDir = join(root, 'apps/console');
export const consoleDist = join(consoleDir, 'dist');
const stamp = join(consoleDist, '.sources.sha256');
/** What the build reads besides node_modules: the console, the client it calls the API with (and its document, which the forms' schemas come from), and the contracts the client's types name. */
const sources = ['apps/console/src', 'apps/console/index.html', 'apps/console/vite.config.ts', 'apps/console/request-schemas.ts', 'libs/client/src', 'libs/client/openapi.json', 'libs/contracts/src', 'package-lock.json'];

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => filesUnder(join(path, entry.name)));
}

export function consoleSourcesHash(): string {
  const hash = createHash('sha256');
  for (const file of sources.flatMap((source) => filesUnder(join(root, source))).sort()) {
    if (/\.(spec|behaviour)\.ts$/.test(file)) continue;
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Builds when the sources changed; answers whether it built. */
export async function buildConsole({ force = false, log = (line: string) => console.log(line) } = {}): Promise<boolean> {
  const hash = consoleSourcesHash();
  if (!force && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return false;
  const started = Date.now();
  log('building the web console (apps/console) ...');
  const { build } = await import('vite');
  await build({ configFile: join(consoleDir, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stamp, hash);
  log(`built the web console in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] === import.meta.filename) {
  await buildConsole({ force: process.argv.includes('--force') });
}
