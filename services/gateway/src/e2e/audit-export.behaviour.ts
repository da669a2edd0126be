import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { demoPolicy, provisionDemo, startDemoCrm } from '@agent-orchestrator/demo';
import { api, type Target } from './scenarios.behaviour.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../../..');
const aoBin = join(root, 'apps/cli/bin/ao.js');

interface AoResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The `ao` command line as an auditor runs it: its own process, the platform's URL and a key in the environment. */
export async function ao(args: readonly string[], env: Record<string, string> = {}): Promise<AoResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [aoBin, ...args], { cwd: root, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/**
 * Issue 17's walk: the demo session runs to the end; an auditor exports the tenant's trail with
 * `ao` and verifies it offline against the pinned key; a viewer may not export; more sessions
 * run; a second export proves against the first, and the two verify together.
 */
export async function auditExportScenario(target: Target): Promise<void> {
  const { call, waitForStatus } = api(target);
  const dir = mkdtempSync(join(tmpdir(), 'audit-e2e-'));
  const crm = await startDemoCrm(0);
  try {
    await provisionDemo({ gatewayUrl: target.url, apiKey: target.key, crmUrl: crm.url });
    expect((await call('PUT', '/v1/policies', { body: demoPolicy })).status).toBe(200);
    const demoSession = async () => {
      const { sessionId } = (await call('POST', '/v1/sessions', { body: { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } } })).body;
      await waitForStatus(sessionId, 'awaiting_approval');
      const [item] = (await call('GET', `/v1/approvals?sessionId=${sessionId}`)).body.items;
      expect((await call('POST', `/v1/approvals/${item.approvalId}/decision`, { body: { decision: 'approve' } })).status).toBe(200);
      await waitForStatus(sessionId, 'completed');
      return sessionId as string;
    };
    const keyFor = async (role: string) => {
      const created = await call('POST', '/v1/api-keys', { body: { name: `audit e2e ${role}`, roles: [role] } });
      expect(created.status).toBe(201);
      return created.body.apiKey as string;
    };

    const first = await demoSession();
    const auditor = await keyFor('auditor');
    const viewer = await keyFor('viewer');
    const viewerAttempt = await call('POST', '/v1/audit/exports', { key: viewer, body: {} });
    expect(viewerAttempt.status).toBe(403);

    const env = { AO_URL: target.url, AO_API_KEY: auditor };
    const firstBundle = join(dir, 'first.ndjson');
    const exported = await ao(['audit', 'export', '--out', firstBundle], env);
    expect(exported).toMatchObject({ code: 0 });
    // The key an auditor pins, as the platform publishes it (an export always has one by now).
    const keys = (await call('GET', '/v1/audit/keys', { key: auditor })).body as { items: { keyId: string; fingerprint: string }[]; currentKeyId: string };
    const trusted = keys.items.find((key) => key.keyId === keys.currentKeyId)!.fingerprint;
    const firstExportId = (JSON.parse(readFileSync(firstBundle, 'utf8').split('\n', 1)[0]!) as { exportId: string }).exportId;
    expect(readFileSync(firstBundle, 'utf8')).toContain(first);
    const verified = await ao(['audit', 'verify', firstBundle, '--trusted-key', trusted, '--json']);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, findings: [] });

    const later = [await demoSession(), await demoSession()];
    const secondBundle = join(dir, 'second.ndjson');
    expect(await ao(['audit', 'export', '--previous', firstExportId, '--out', secondBundle], env)).toMatchObject({ code: 0 });
    for (const sessionId of later) expect(readFileSync(secondBundle, 'utf8')).toContain(sessionId);
    const together = await ao(['audit', 'verify', secondBundle, '--previous', firstBundle, '--trusted-key', trusted, '--json']);
    expect(together.code).toBe(0);
    expect(JSON.parse(together.stdout)).toMatchObject({ ok: true, findings: [] });

    // The platform's own check of each stored bundle agrees.
    const listed = (await call('GET', '/v1/audit/exports', { key: auditor })).body.items as { exportId: string; status: string; verification: { ok: boolean } }[];
    expect(listed.filter((item) => item.status === 'completed' && item.verification?.ok)).toHaveLength(2);
  } finally {
    await call('PUT', '/v1/policies', { body: {} });
    await crm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
