/**
 * node --import @swc-node/register/esm-register scripts/build-dist.ts <outDir>
 *
 * Compiles the services and libraries to JavaScript for the container images (the Dockerfile's
 * build stage runs it): every `libs/* /src` and `services/* /src` TypeScript file but the specs,
 * with swc and the repository's .swcrc (the settings jest runs the specs under: legacy decorators
 * with metadata, ES modules), into the same layout under <outDir>, `.ts` becoming `.js`. Sources
 * import siblings as `./x.js` (NodeNext), so the output runs on plain Node with no loader. Each
 * workspace package.json is copied with its `exports` pointing at the `.js` files, so
 * `@agent-orchestrator/*` resolve to the compiled code through npm's workspace links.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { transformFile, type Options } from '@swc/core';

const root = join(import.meta.dirname, '..');

/** What is compiled: the code a service process loads. Specs and their fixtures stay out. */
const skipped = /\.(spec|behaviour)\.ts$/;

function filesUnder(path: string): string[] {
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(path, entry.name)) : [join(path, entry.name)]));
}

/** The workspace packages a service image holds: libraries and services (the console ships as static files). */
export function workspacePackages(): string[] {
  return ['libs', 'services'].flatMap((group) =>
    readdirSync(join(root, group))
      .map((name) => join(group, name))
      .filter((dir) => statSync(join(root, dir, 'package.json'), { throwIfNoEntry: false })?.isFile()),
  );
}

/** package.json with every export (and main) of a `.ts` file pointing at its `.js` output. */
export function compiledManifest(text: string): string {
  const manifest = JSON.parse(text) as Record<string, unknown>;
  const toJs = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(/\.ts$/, '.js');
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toJs(inner)]));
    return value;
  };
  for (const field of ['exports', 'main'] as const) if (field in manifest) manifest[field] = toJs(manifest[field]);
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export async function buildDist(outDir: string): Promise<number> {
  const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8')) as Options;
  let files = 0;
  for (const pkg of workspacePackages()) {
    mkdirSync(join(outDir, pkg), { recursive: true });
    writeFileSync(join(outDir, pkg, 'package.json'), compiledManifest(readFileSync(join(root, pkg, 'package.json'), 'utf8')));
    const src = join(root, pkg, 'src');
    if (!statSync(src, { throwIfNoEntry: false })?.isDirectory()) continue;
    for (const file of filesUnder(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !skipped.test(f))) {
      const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
      // No source maps: the images hold no TypeScript to point at; swc's output keeps names and layout.
      const output = await transformFile(file, { ...swcrc, swcrc: false, filename: file, sourceMaps: false });
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, output.code);
      files += 1;
    }
  }
  return files;
}

if (process.argv[1] === import.meta.filename) {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error('usage: scripts/build-dist.ts <outDir>');
    process.exit(2);
  }
  const started = Date.now();
  const files = await buildDist(outDir);
  console.log(`compiled ${files} files into ${outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
