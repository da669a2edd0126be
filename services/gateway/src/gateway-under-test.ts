import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { createGatewayApp, type GatewayDeps } from './app.js';
import type { GatewayConfig } from './config.js';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  readonly json: unknown;
}

export interface Call {
  /** Sent as `Authorization: Bearer <key>`, or as x-api-key when `keyHeader` says so. */
  readonly key?: string;
  readonly keyHeader?: 'bearer' | 'x-api-key';
  /** Serialised as JSON with content-type application/json. */
  readonly body?: unknown;
  /** Sent as is, with `headers` saying what it is. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface GatewayUnderTest {
  readonly app: NestFastifyApplication;
  readonly url: string;
  call(method: string, path: string, call?: Call): Promise<Answer>;
  close(): Promise<void>;
}

/** The text parsed as JSON, or undefined when it is empty or not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The gateway listening on a free port of 127.0.0.1, for specs that talk real HTTP to it. */
export async function startGateway(config: GatewayConfig, deps: GatewayDeps & { logger: Logger }): Promise<GatewayUnderTest> {
  const app = await createGatewayApp({ ...config, port: 0 }, deps);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return {
    app,
    url,
    async call(method, path, { key, keyHeader = 'bearer', body, rawBody, headers = {} } = {}) {
      const sent: Record<string, string> = {};
      if (key !== undefined) sent[keyHeader === 'bearer' ? 'authorization' : 'x-api-key'] = keyHeader === 'bearer' ? `Bearer ${key}` : key;
      if (body !== undefined) sent['content-type'] = 'application/json';
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { ...sent, ...headers },
        body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text, json: parseJson(text) };
    },
    close: () => app.close(),
  };
}
