import { verifyBundle, type BundleReport } from '@agent-orchestrator/audit-proof';
import type { StoredBundleReport } from './export-jobs.js';

/** The platform's own check of a stored bundle: the offline verifier over the bytes a client would download, read chunk by chunk. */
export async function verifyStoredBundle(bundle: AsyncIterable<Buffer>): Promise<StoredBundleReport> {
  const report = await verifyBundle({ bundle });
  return { ok: report.ok, summary: summaryOf(report), findings: report.findings };
}

function summaryOf({ ok, summary, findings }: BundleReport): string {
  if (!ok) {
    const kinds = [...new Set(findings.map((finding) => finding.kind))].join(', ');
    return `${findings.length} problem${findings.length === 1 ? '' : 's'} found (${kinds}); the first: ${findings[0]?.message ?? 'none named'}`;
  }
  const span = summary.firstPosition === null || summary.end === null || summary.end === summary.firstPosition ? 'no positions' : `positions ${summary.firstPosition}..${summary.end - 1}`;
  return `verified: ${summary.events} events of ${summary.streams} streams (${span}) against the checkpoint of ${summary.treeSize} leaves signed by key ${summary.signedBy}`;
}
