import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenario } from '@agent-orchestrator/audit-proof/testing';

/* The real `ao` bin, spawned as an auditor would run it, on bundles the test builder signed. */

const bin = fileURLToPath(new URL('../bin/ao.js', import.meta.url));
const s = scenario();
afterAll(() => s.cleanup());

function ao(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run([bin, ...args]);
}

// From a directory outside the repository by default: the bin must find its loader and tsconfig itself.
function run(args: string[], cwd = tmpdir()): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, AO_URL: '', AO_API_KEY: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('ao audit verify', () => {
  it('exits 0 with a summary for an untouched bundle and its predecessor', async () => {
    const { code, stdout } = await ao('audit', 'verify', s.pathB, '--previous', s.pathA, '--trusted-key', s.keys[0]!.line.keyId);
    expect(code).toBe(0);
    expect(stdout).toContain('verified: export export-b of tenant acme');
    expect(stdout).toContain('20 in 3 streams (positions 20..39');
    expect(stdout).toContain('anchored in the trusted key or the previous bundle');
  });

  it('exits 1 with one line per finding naming kind, stream, version and position', async () => {
    const tampered = join(s.dir, 'tampered.ndjson');
    const text = readFileSync(s.pathB, 'utf8').replace('"note":"event 25"', '"note":"event 99"');
    writeFileSync(tampered, text);
    const signatureLine = text.trimEnd().split('\n').length;
    const { code, stdout } = await ao('audit', 'verify', tampered);
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('NOT verified: 3 findings in export export-b');
    expect(lines).toContain('altered (stream session-s1, version 8, position 25, line 7): the content of event 00000000-0000-4000-8000-000000000025 does not match its chain hash');
    expect(lines.some((l) => l.startsWith(`bad-signature (line ${signatureLine}): the bytes before the signature line hash to`))).toBe(true);
  });

  it('prints { ok, summary, findings } with --json', async () => {
    const { code, stdout } = await ao('audit', 'verify', s.pathC, '--json');
    expect(code).toBe(0);
    const answer = JSON.parse(stdout);
    expect(answer).toMatchObject({ ok: true, findings: [], summary: { exportId: 'export-c', proofMode: 'inclusion', events: 13 } });
  });

  it('exits 2 and says what to fix for a missing file or a key in no known form', async () => {
    const missing = await ao('audit', 'verify', join(s.dir, 'nope.ndjson'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.ndjson does not exist or cannot be read: check the path');
    const badKey = await ao('audit', 'verify', s.pathA, '--trusted-key', 'not-a-key');
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('a trusted key is a base64 raw Ed25519 key, a PEM public key');
    const noArgument = await ao('audit', 'verify');
    expect(noArgument.code).toBe(2);
  });

  it('exits 2 for export without a platform to talk to, naming the variable to set', async () => {
    const { code, stderr } = await ao('--url', 'http://127.0.0.1:9', 'audit', 'exports');
    expect(code).toBe(2);
    expect(stderr).toContain('set AO_API_KEY or pass --api-key');
  });

  it('runs as one file built by npm run cli:build, with Node alone', async () => {
    const out = join(s.dir, 'ao.mjs');
    const repository = fileURLToPath(new URL('../../..', import.meta.url));
    const build = await run(['--import', '@swc-node/register/esm-register', 'apps/cli/build.ts', '--out', out], repository);
    expect(build.code).toBe(0);
    const { code, stdout } = await run([out, 'audit', 'verify', s.pathA]);
    expect(code).toBe(0);
    expect(stdout).toContain('verified: export export-a of tenant acme');
  });
});
