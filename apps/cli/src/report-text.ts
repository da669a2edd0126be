import type { BundleReport, Finding } from '@agent-orchestrator/audit-proof';

/* How a verification reads on a terminal: one summary block when it holds, one line per finding when not. */

export function summaryText(report: BundleReport): string {
  const s = report.summary;
  const range = s.firstPosition === null || s.end === null ? 'none' : s.end > s.firstPosition ? `positions ${s.firstPosition}..${s.end - 1}` : 'no positions';
  return [
    `verified: export ${s.exportId} of tenant ${s.tenantId}`,
    `  events:      ${s.events} in ${s.streams} streams (${range}, ${s.proofMode === 'inclusion' ? 'each with an inclusion proof' : 'every event of the range'})`,
    `  checkpoint:  tree size ${s.treeSize}, root ${s.rootHash}`,
    `  signed by:   key ${s.signedBy}; ${s.checkpoints} checkpoints, ${s.keys} keys`,
    `  trust:       ${s.anchored ? 'anchored in the trusted key or the previous bundle' : 'the bundle vouches for its own keys: pass --trusted-key or --previous to anchor them'}`,
    ...(s.previousExportId ? [`  continues:   export ${s.previousExportId}`] : []),
    `  sha256:      ${s.sha256}`,
  ].join('\n');
}

export function findingLine(f: Finding): string {
  const where = [f.streamId && `stream ${f.streamId}`, f.streamVersion !== undefined && `version ${f.streamVersion}`, f.position !== undefined && `position ${f.position}`, f.line !== undefined && `line ${f.line}`].filter(Boolean).join(', ');
  return `${f.kind}${where ? ` (${where})` : ''}: ${f.message}`;
}

export function failureText(report: BundleReport): string {
  const n = report.findings.length;
  return [`NOT verified: ${n} finding${n === 1 ? '' : 's'} in export ${report.summary.exportId ?? '(unknown)'}`, ...report.findings.map(findingLine)].join('\n');
}
