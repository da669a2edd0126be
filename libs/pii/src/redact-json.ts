import { piiKinds, redactPii, type PiiKind } from './redact.js';

/** One field where something was replaced: its JSON Pointer (RFC 6901), the kind and how many. */
export interface PiiFinding {
  readonly path: string;
  readonly kind: PiiKind;
  readonly count: number;
}

export interface JsonRedaction<T> {
  readonly value: T;
  /** Paths hold redacted keys only, so a finding never carries the value it replaced. */
  readonly findings: readonly PiiFinding[];
  readonly found: Partial<Record<PiiKind, number>>;
}

export interface RedactJsonOptions {
  /** A pointer prefix for the findings, e.g. `/context`. */
  readonly basePath?: string;
  /** Nodes left as they are (e.g. a tool call's arguments, which the tool needs). */
  readonly skip?: (node: unknown, path: string) => boolean;
}

const pointerSegment = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Replaces personal data in every string of a JSON value, object keys included (a key may be an
 * email address too). Returns the redacted copy and, per string, the kinds and counts found; the
 * input is not changed. Values that are not JSON strings (numbers, booleans, null) are kept:
 * detectors work on text, and a number is not reformatted into one.
 */
export function redactJson<T>(value: T, kinds: readonly PiiKind[] = piiKinds, options: RedactJsonOptions = {}): JsonRedaction<T> {
  const findings: PiiFinding[] = [];
  const found: Partial<Record<PiiKind, number>> = {};
  const text = (input: string, path: string): string => {
    const redaction = redactPii(input, kinds);
    for (const [kind, count] of Object.entries(redaction.found) as [PiiKind, number][]) {
      findings.push({ path, kind, count });
      found[kind] = (found[kind] ?? 0) + count;
    }
    return redaction.text;
  };
  const walk = (node: unknown, path: string): unknown => {
    if (options.skip?.(node, path)) return node;
    if (typeof node === 'string') return text(node, path);
    if (Array.isArray(node)) return node.map((item, index) => walk(item, `${path}/${index}`));
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(node)) {
      let safeKey = redactPii(key, kinds).text;
      if (safeKey !== key) {
        safeKey = text(key, `${path}/${pointerSegment(safeKey)}`);
        // Two keys redacted alike must not overwrite each other.
        for (let n = 2; Object.hasOwn(out, safeKey); n++) safeKey = `${safeKey.replace(/#\d+$/, '')}#${n}`;
      }
      Object.defineProperty(out, safeKey, { value: walk(item, `${path}/${pointerSegment(safeKey)}`), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  if (kinds.length === 0) return { value, findings, found };
  return { value: walk(value, options.basePath ?? '') as T, findings, found };
}
