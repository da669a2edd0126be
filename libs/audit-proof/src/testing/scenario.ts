import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BundleLine, Checkpoint } from '../bundle-lines.js';
import { bundleLines, makeKeys, makeLog, signCheckpoint, signedBundle, writeBundle, type LoggedEvent, type TestKey } from './bundle-builder.js';

/*
 * One tenant's history for the verifier's specs: 40 events over three sessions, key K1 from
 * 00:00 and K2 from 02:00, checkpoints at 20 events (01:00, K1) and 40 events (03:00, K2).
 * Export A covers positions 0..19, export B 20..39 continuing A, export C session s1 by inclusion.
 */
export interface Scenario {
  dir: string;
  tenantId: string;
  log: LoggedEvent[];
  keys: TestKey[];
  c1: Checkpoint;
  c2: Checkpoint;
  linesA: BundleLine[];
  linesB: BundleLine[];
  linesC: BundleLine[];
  /** Writes lines signed by `key` (K2 by default) to a file in the scenario's directory. */
  write(name: string, lines: readonly (BundleLine | string)[], options?: { key?: TestKey; exportId?: string; gzip?: boolean }): string;
  pathA: string;
  pathB: string;
  pathC: string;
  /** Removes the scenario's directory. */
  cleanup(): void;
}

export function scenario(): Scenario {
  const dir = mkdtempSync(join(tmpdir(), 'audit-proof-'));
  const tenantId = 'acme';
  const log = makeLog(tenantId, 40);
  const keys = makeKeys(tenantId, ['2026-01-01T00:00:00.000Z', '2026-01-01T02:00:00.000Z']);
  const [k1, k2] = keys as [TestKey, TestKey];
  const c1 = signCheckpoint(tenantId, log, 20, k1, '2026-01-01T01:00:00.000Z');
  const c2 = signCheckpoint(tenantId, log, 40, k2, '2026-01-01T03:00:00.000Z');
  const linesA = bundleLines({ exportId: 'export-a', tenantId, log, keys: [k1], checkpoint: c1, first: 0, end: 20 });
  const linesB = bundleLines({ exportId: 'export-b', tenantId, log, keys, checkpoint: c2, first: 20, end: 40, previous: { exportId: 'export-a', checkpoint: c1 } });
  const linesC = bundleLines({ exportId: 'export-c', tenantId, log, keys, checkpoint: c2, otherCheckpoints: [c1], positions: log.filter((e) => e.event.correlationId === 's1').map((e) => e.position) });
  const exportIdOf = (lines: readonly (BundleLine | string)[]): string => {
    const first = lines[0];
    const manifest = typeof first === 'string' ? JSON.parse(first) : first;
    return manifest?.exportId ?? 'unknown';
  };
  const write: Scenario['write'] = (name, lines, options = {}) =>
    writeBundle(join(dir, name), signedBundle(lines, options.key ?? k2, { tenantId, exportId: options.exportId ?? exportIdOf(lines) }), { gzip: options.gzip ?? false });
  return {
    dir,
    tenantId,
    log,
    keys,
    c1,
    c2,
    linesA,
    linesB,
    linesC,
    write,
    pathA: write('a.ndjson', linesA, { key: k1 }),
    pathB: write('b.ndjson', linesB),
    pathC: write('c.ndjson', linesC),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
