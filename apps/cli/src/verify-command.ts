import { access } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { trustedKeyProblem, verifyBundle, type BundleReport } from '@agent-orchestrator/audit-proof';
import { CliError, exitCodes } from './exit-codes.js';
import { failureText, summaryText } from './report-text.js';

export interface VerifyOptions {
  previous?: string;
  trustedKey?: string[];
  json?: boolean;
}

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** `ao audit verify`: offline, no platform needed. Returns the exit code. */
export async function verifyCommand(bundle: string, options: VerifyOptions, output: Output): Promise<number> {
  await mustExist(bundle, 'the bundle');
  if (options.previous !== undefined) await mustExist(options.previous, 'the previous bundle (--previous)');
  const trustedKeys = await Promise.all((options.trustedKey ?? []).map(readTrustedKey));
  const report = await verifyBundle({ bundle, ...(options.previous !== undefined ? { previous: options.previous } : {}), trustedKeys });
  printReport(report, options.json === true, output);
  return report.ok ? exitCodes.ok : exitCodes.findings;
}

export function printReport(report: BundleReport, json: boolean, output: Output): void {
  if (json) output.out(JSON.stringify({ ok: report.ok, summary: report.summary, findings: report.findings }, null, 2));
  else output.out(report.ok ? summaryText(report) : failureText(report));
}

async function mustExist(path: string, what: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new CliError(`${what} ${path} does not exist or cannot be read: check the path`, exitCodes.usage);
  }
}

/** A trusted key on the command line, or the path of a file holding one (a PEM file, say). */
async function readTrustedKey(value: string): Promise<string> {
  let key = value;
  if (trustedKeyProblem(value) !== null) {
    try {
      key = (await readFile(value, 'utf8')).trim();
    } catch {
      // Not a file either: report the form problem below.
    }
  }
  const problem = trustedKeyProblem(key);
  if (problem !== null) throw new CliError(`--trusted-key ${value.slice(0, 60)}: ${problem}`, exitCodes.usage);
  return key;
}
