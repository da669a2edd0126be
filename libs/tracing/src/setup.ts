import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace';
import { GENAI_SCHEMA_URL } from './semconv.js';

export interface Tracing {
  /** True when spans are exported: OTEL_EXPORTER_OTLP_ENDPOINT (or its traces variant) is set. */
  readonly enabled: boolean;
  /** Flushes what is queued and stops the SDK. */
  shutdown(): Promise<void>;
}

/**
 * Span ids drawn at random, except the one a caller presets for the next span: a span rebuilt from
 * the log is exported under the id its events carry (see span-ids.ts), so live spans started from
 * those events attach to it. Starting a span is synchronous, so a preset is taken by that span.
 */
export class PresetIdGenerator implements IdGenerator {
  private presetTraceId: string | undefined;
  private presetSpanId: string | undefined;

  /** `traceId` only for a root span: a child takes its parent's trace and asks for a span id alone. */
  preset(spanId: string, traceId?: string): void {
    this.presetTraceId = traceId;
    this.presetSpanId = spanId;
  }

  generateTraceId(): string {
    const id = this.presetTraceId ?? randomBytes(16).toString('hex');
    this.presetTraceId = undefined;
    return id;
  }

  generateSpanId(): string {
    const id = this.presetSpanId ?? randomBytes(8).toString('hex');
    this.presetSpanId = undefined;
    return id;
  }
}

/** The id generator of the running SDK; undefined while tracing is off (nothing is recorded then). */
export let activeIds: PresetIdGenerator | undefined;

const noTracing: Tracing = { enabled: false, shutdown: async () => undefined };

export function tracingWanted(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Starts OpenTelemetry's Node SDK for this process when an OTLP endpoint is configured, reading
 * the standard OTEL_* variables (endpoint, headers, OTEL_EXPORTER_OTLP_PROTOCOL http/json or
 * http/protobuf, sampler, resource attributes). Off otherwise: the SDK is not even loaded, and the
 * only trace work left is the traceparent the event store stamps (a hash per event).
 */
export async function startTracing(serviceName: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<Tracing> {
  if (!tracingWanted(env) || activeIds) return noTracing;
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const ids = new PresetIdGenerator();
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? `agent-orchestrator-${serviceName}`,
    idGenerator: ids,
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  activeIds = ids;
  return {
    enabled: true,
    shutdown: async () => {
      activeIds = undefined;
      // A collector that is gone must not fail the process's shutdown: its spans are lost, not the work.
      await sdk.shutdown().catch(() => undefined);
    },
  };
}

/** The instrumentation scope of the platform's spans; their GenAI attributes follow GENAI_SCHEMA_URL. */
export const tracerScope = { name: '@agent-orchestrator/tracing', schemaUrl: GENAI_SCHEMA_URL } as const;
