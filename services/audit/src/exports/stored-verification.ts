import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { verifyBundle, type BundleReport } from '@agent-orchestrator/audit-proof';
import type { StoredBundleReport } from './export-jobs.js';

/**
 * The platform's own check of a stored bundle: the offline verifier (which reads files, as an
 * auditor runs it) over the bytes a client would download, copied to a temporary file.
 */
export async function verifyStoredBundle(bundle: AsyncIterable<Buffer>): Promise<StoredBundleReport> {
  const dir = await mkdtemp(join(tmpdir(), 'audit-verify-'));
  try {
    const file = join(dir, 'bundle.ndjson');
    await pipeline(Readable.from(bundle), createWriteStream(file));
    const report = await verifyBundle({ bundle: file });
    return { ok: report.ok, summary: summaryOf(report), findings: report.findings };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function summaryOf({ ok, summary, findings }: BundleReport): string {
  if (!ok) {
    const kinds = [...new Set(findings.map((finding) => finding.kind))].join(', ');
    return `${findings.length} problem${findings.length === 1 ? '' : 's'} found (${kinds}); the first: ${findings[0]?.message ?? 'none named'}`;
  }
  const span = summary.firstPosition === null || summary.end === null || summary.end === summary.firstPosition ? 'no positions' : `positions ${summary.firstPosition}..${summary.end - 1}`;
  return `verified: ${summary.events} events of ${summary.streams} streams (${span}) against the checkpoint of ${summary.treeSize} leaves signed by key ${summary.signedBy}`;
}
