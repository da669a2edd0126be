import { z } from 'zod';
import { defineEvent, type EventOf } from './catalog.js';

const port = /^([1-9]\d{0,4})$/;

/** What an allow-list entry names, or undefined when it is none of host, host:port, IP address or CIDR. */
export function parseEgressEntry(entry: string): { readonly kind: 'cidr' | 'address' | 'host'; readonly host: string; readonly port?: number } | undefined {
  const text = entry.trim().toLowerCase();
  if (z.cidrv4().safeParse(text).success || z.cidrv6().safeParse(text).success) return { kind: 'cidr', host: text };
  if (z.ipv4().safeParse(text).success || z.ipv6().safeParse(text).success) return { kind: 'address', host: text };
  if (z.hostname().safeParse(text).success && !text.includes(':')) return { kind: 'host', host: text };
  // host:port, with an IPv6 address in brackets ([::1]:8080).
  const withPort = /^(\[([0-9a-f:.]+)\]|[^:[\]]+):([^:]+)$/.exec(text);
  if (!withPort || !port.test(withPort[3]!) || Number(withPort[3]) > 65535) return undefined;
  const host = withPort[2] ?? withPort[1]!;
  const isAddress = withPort[2] === undefined ? z.ipv4().safeParse(host).success : z.ipv6().safeParse(host).success;
  if (!isAddress && (withPort[2] !== undefined || !z.hostname().safeParse(host).success)) return undefined;
  return { kind: isAddress ? 'address' : 'host', host, port: Number(withPort[3]) };
}

/**
 * One destination a tenant lets the platform reach although the egress guard would refuse it (a
 * loopback, private or link-local address): a host name (any port), `host:port`, an IP address,
 * `[v6]:port`, or a CIDR block of addresses.
 */
export const egressAllowEntrySchema = z
  .string()
  .max(300)
  .superRefine((entry, context) => {
    if (parseEgressEntry(entry) === undefined) context.addIssue({ code: 'custom', message: `"${entry.slice(0, 300)}" is not a host, host:port, IP address or CIDR block` });
  });

/** The whole allow-list a tenant admin sets with PUT /v1/egress. */
export const egressAllowListSchema = z.strictObject({ allow: z.array(egressAllowEntrySchema).max(200) });
export type EgressAllowList = z.infer<typeof egressAllowListSchema>;

/** One version of a tenant's egress allow-list, on its `egress-<tenant>` stream, owned by tool-adapters. */
export const EgressAllowListSet = defineEvent('EgressAllowListSet', [{ schema: z.strictObject({ version: z.number().int().min(1), allow: egressAllowListSchema.shape.allow }) }]);

export const egressEvents = [EgressAllowListSet] as const;
export type EgressEvent = EventOf<(typeof egressEvents)[number]>;

export interface CurrentEgress {
  /** 0 before the tenant set any allow-list: nothing beyond the guard's defaults is allowed. */
  readonly version: number;
  readonly allow: readonly string[];
  readonly updatedAt: string | null;
}

export const initialEgress: CurrentEgress = { version: 0, allow: [], updatedAt: null };

/** The allow-list with one more event of its `egress-<tenant>` stream folded in. */
export function evolveEgress(current: CurrentEgress, event: { readonly type: string; readonly data: unknown; readonly occurredAt: string }): CurrentEgress {
  if (event.type !== 'EgressAllowListSet') return current;
  const { version, allow } = event.data as { version: number; allow: string[] };
  return { version, allow, updatedAt: event.occurredAt };
}
