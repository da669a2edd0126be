import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import type { operations } from '@agent-orchestrator/client';
import { CliError, exitCodes } from './exit-codes.js';

/* The few calls `ao audit` makes to the gateway's public API; never the database. */

export interface Connection {
  url: string;
  apiKey: string;
}

/** An export as the gateway answers it: the type generated from its OpenAPI document (erased at run time). */
export type AuditExportRecord = operations['getAuditExport']['responses'][200]['content']['application/json'];
export type AuditExportRequest = NonNullable<operations['requestAuditExport']['requestBody']>['content']['application/json'];

export function connectionFrom(options: { url?: string; apiKey?: string }, env: NodeJS.ProcessEnv): Connection {
  const url = options.url ?? env.AO_URL;
  const apiKey = options.apiKey ?? env.AO_API_KEY;
  if (!url) throw new CliError("no platform URL: set AO_URL or pass --url (the gateway's address, e.g. https://ao.example.com)", exitCodes.usage);
  if (!apiKey) throw new CliError('no API key: set AO_API_KEY or pass --api-key', exitCodes.usage);
  try {
    new URL(url);
  } catch {
    throw new CliError(`--url ${url} is not a URL: give the gateway's address, e.g. https://ao.example.com`, exitCodes.usage);
  }
  return { url: url.replace(/\/+$/, ''), apiKey };
}

export class PlatformClient {
  constructor(private readonly connection: Connection) {}

  async requestExport(body: AuditExportRequest): Promise<string> {
    const answer = (await this.json('POST', '/v1/audit/exports', body)) as { exportId?: unknown };
    if (typeof answer.exportId !== 'string') throw new CliError(`the platform accepted the export but named no exportId: ${JSON.stringify(answer).slice(0, 200)}`, exitCodes.platform);
    return answer.exportId;
  }

  async getExport(exportId: string): Promise<AuditExportRecord> {
    return (await this.json('GET', `/v1/audit/exports/${encodeURIComponent(exportId)}`)) as AuditExportRecord;
  }

  async listExports(limit: number): Promise<AuditExportRecord[]> {
    const answer = await this.json('GET', `/v1/audit/exports?limit=${limit}`);
    if (Array.isArray(answer)) return answer as AuditExportRecord[];
    const items = (answer as { items?: unknown }).items;
    if (!Array.isArray(items)) throw new CliError(`the platform's list of exports is not { items: [...] }: ${JSON.stringify(answer).slice(0, 200)}`, exitCodes.platform);
    return items as AuditExportRecord[];
  }

  /**
   * Writes the bundle's bytes as sent. fetch undoes a gzip Content-Encoding itself (it asks for
   * gzip too), so the file holds the uncompressed NDJSON the signature covers; a bundle served
   * as a .gz file instead stays gzipped, which the verifier reads as well.
   */
  async downloadBundle(exportId: string, path: string, onBytes: (bytes: number) => void): Promise<void> {
    const response = await this.send('GET', `/v1/audit/exports/${encodeURIComponent(exportId)}/bundle`, undefined, { 'accept-encoding': 'gzip' });
    if (response.body === null) throw new CliError(`the platform sent no bundle for export ${exportId}`, exitCodes.platform);
    let received = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        onBytes(received);
        done(null, chunk);
      },
    });
    const body = Readable.fromWeb(response.body as WebReadableStream);
    await pipeline(body, count, createWriteStream(path));
  }

  /** One call to the public API answering JSON; a refusal is a CliError with the problem's title and detail. For the commands beside the audit ones. */
  call(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.json(method, path, body);
  }

  /** One JSON call to the public API; a refusal or an unreachable platform is a CliError. */
  async json(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.send(method, path, body);
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new CliError(`${method} ${path} answered ${response.status} with something that is not JSON: ${text.slice(0, 200)}`, exitCodes.platform);
    }
  }

  private async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.connection.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.connection.apiKey}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
      throw new CliError(`cannot reach the platform at ${this.connection.url} (${cause}): check --url or AO_URL`, exitCodes.platform);
    }
    if (!response.ok) throw new CliError(await problemText(method, path, response), exitCodes.platform);
    return response;
  }
}

/** An HTTP problem+json answer in one line: its title and detail, and what to do for the common ones. */
async function problemText(method: string, path: string, response: Response): Promise<string> {
  const text = await response.text();
  let problem: { title?: string; detail?: string } = {};
  try {
    problem = JSON.parse(text);
  } catch {
    problem = { detail: text.slice(0, 200) };
  }
  const said = [problem.title, problem.detail].filter(Boolean).join(': ') || response.statusText;
  const hint =
    response.status === 401
      ? ' (check AO_API_KEY or --api-key)'
      : response.status === 403
        ? ' (the key lacks the role this needs: ask a tenant admin)'
        : response.status === 404 && path.endsWith('/bundle')
          ? ' (the bundle is not ready, or has expired)'
          : '';
  return `${method} ${path} failed with ${response.status}: ${said}${hint}`;
}
