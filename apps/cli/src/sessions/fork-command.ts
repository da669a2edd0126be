import { readFileSync } from 'node:fs';
import type { operations } from '@agent-orchestrator/client';
import { CliError, exitCodes } from '../exit-codes.js';
import type { PlatformClient } from '../platform-client.js';
import type { Output } from '../verify-command.js';

type ForkRequest = NonNullable<operations['forkSession']['requestBody']>['content']['application/json'];

export interface ForkOptions {
  readonly at: string;
  readonly modelScript?: string;
  readonly modelFixture?: string;
  readonly policyVersion?: string;
  readonly agent?: string;
  readonly model?: string;
  readonly json?: boolean;
}

/** `ao sessions fork`: asks the platform for a fork and says where to watch it. */
export async function forkCommand(client: PlatformClient, url: string, sessionId: string, options: ForkOptions, output: Output): Promise<number> {
  const body = forkRequest(options);
  const answer = (await client.json('POST', `/v1/sessions/${encodeURIComponent(sessionId)}/fork`, body)) as { sessionId?: unknown };
  if (typeof answer.sessionId !== 'string') throw new CliError(`the platform accepted the fork but named no sessionId: ${JSON.stringify(answer).slice(0, 200)}`, exitCodes.platform);
  const fork = answer.sessionId;
  if (options.json) {
    output.out(JSON.stringify({ sessionId: fork, forkedFrom: { sessionId, version: body.atVersion } }));
    return exitCodes.ok;
  }
  output.out(`forked session ${sessionId} at version ${body.atVersion}: ${fork}`);
  output.out(`watch it:   ${url}/sessions/${fork}  (the console), or GET ${url}/v1/sessions/${fork}`);
  output.out(`compare it: ao sessions diff ${sessionId} ${fork}`);
  return exitCodes.ok;
}

function forkRequest(options: ForkOptions): ForkRequest {
  const atVersion = Number(options.at);
  if (!/^\d+$/.test(options.at) || !Number.isSafeInteger(atVersion)) throw new CliError(`--at ${options.at} is not a version: give a whole number from the session's log (GET /v1/sessions/<id>/events)`, exitCodes.usage);
  if (options.modelScript !== undefined && options.modelFixture !== undefined) throw new CliError('give --model-script or --model-fixture, not both', exitCodes.usage);
  const policyVersion = options.policyVersion === undefined ? undefined : Number(options.policyVersion);
  if (policyVersion !== undefined && (!/^\d+$/.test(options.policyVersion!) || policyVersion < 1)) throw new CliError(`--policy-version ${options.policyVersion} is not a version: give a whole number from 1 (see GET /v1/policies/versions)`, exitCodes.usage);
  return {
    atVersion,
    ...(options.modelScript === undefined ? {} : { modelScript: readScript(options.modelScript) }),
    ...(options.modelFixture === undefined ? {} : { modelFixture: options.modelFixture }),
    ...(options.agent === undefined ? {} : { agent: options.agent }),
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(policyVersion === undefined ? {} : { policyVersion }),
  };
}

function readScript(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the model script ${path}: ${(error as Error).message}`, exitCodes.usage);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`the model script ${path} is not JSON: ${(error as Error).message}`, exitCodes.usage);
  }
}
