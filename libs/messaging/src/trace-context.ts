import { ROOT_CONTEXT, context, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { IHeaders } from 'kafkajs';

/** W3C trace context in Kafka headers, whatever OpenTelemetry SDK (if any) the process runs. */
const propagator = new W3CTraceContextPropagator();

const setter: TextMapSetter<Record<string, string>> = { set: (carrier, key, value) => void (carrier[key] = value) };
const getter: TextMapGetter<IHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => headerValue(carrier, key),
};

/** Headers for the active trace, or for an explicit `traceparent` (an event's own). */
export function traceHeaders(traceparent?: string | null, active: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  if (traceparent) {
    carrier.traceparent = traceparent;
    return carrier;
  }
  propagator.inject(active, carrier, setter);
  return carrier;
}

/** The trace context a consumed message carries, to run its handler in. */
export function extractTraceContext(headers: IHeaders | undefined): Context {
  return headers ? propagator.extract(ROOT_CONTEXT, headers, getter) : ROOT_CONTEXT;
}

export function headerValue(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}
