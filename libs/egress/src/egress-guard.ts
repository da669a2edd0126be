import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { egressAllowEntrySchema } from '@agent-orchestrator/contracts';
import { Agent, buildConnector, fetch, type RequestInit, type Response } from 'undici';
import { z } from 'zod';
import { addressRule, describeAddressRule, type AddressRule } from './address-rules.js';
import { AllowList, type Destination } from './allow-list.js';

export type EgressErrorCode = 'Refused' | 'BadUrl' | 'TooManyRedirects';

/** A request the guard would not make. The message names the rule and never quotes what a server sent. */
export class EgressError extends Error {
  override readonly name = 'EgressError';

  constructor(
    readonly code: EgressErrorCode,
    message: string,
    readonly rule?: AddressRule,
  ) {
    super(message);
  }
}

/** The EgressError behind a failed request (fetch wraps connect-time errors in `cause`), if one is. */
export function egressErrorIn(error: unknown): EgressError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof EgressError) return current;
  }
  return undefined;
}

/** Every address a name resolves to; injectable so tests can play a rebinding resolver. */
export type Resolver = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface EgressGuardOptions {
  /** Destinations the operator configured (identity provider, OTLP collector): allowed for every tenant. */
  readonly operatorAllow?: readonly string[];
  /** Destinations no tenant's allow-list can open (EGRESS_DENY): by default the cloud metadata ranges. */
  readonly operatorDeny?: readonly string[];
  readonly resolver?: Resolver;
}

export interface GuardedFetchOptions {
  /** The tenant's allow-list, read when the request is made. */
  readonly allow: readonly string[];
  /** How many redirects to follow, each hop checked like the first; 0 hands a 3xx back to the caller. */
  readonly maxRedirects: number;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * The one way the platform makes a request on a tenant's behalf. Loopback, private, link-local,
 * CGNAT, multicast, unspecified, broadcast and reserved addresses (and their IPv4-mapped or
 * -embedded IPv6 forms) are refused unless the operator's or the tenant's allow-list names them.
 * The check runs where the socket is made: every address a name resolves to is checked before
 * connecting (so a name that answers public first and loopback later is refused the second
 * time), an IP literal before connecting, and the connected socket's peer once more. Redirects
 * are followed by hand, a bounded number of times, each hop going through the same check.
 */
export class EgressGuard {
  private readonly operatorAllow: AllowList;
  private readonly operatorDeny: AllowList;
  private readonly resolver: Resolver;
  // One agent per distinct allow-list, so connections are pooled only between requests that the same list governs.
  private readonly agents = new Map<string, Agent>();

  constructor(options: EgressGuardOptions = {}) {
    this.operatorAllow = new AllowList(options.operatorAllow ?? []);
    this.operatorDeny = new AllowList(options.operatorDeny ?? metadataRanges);
    this.resolver = options.resolver ?? systemResolver;
  }

  /** Why connecting to `destination` is refused, or undefined when it is allowed. */
  refusal(destination: Destination, tenantAllow: AllowList): EgressError | undefined {
    const what = destination.host === destination.address || destination.host === `[${destination.address}]` ? destination.address : `${destination.host} resolves to ${destination.address}, which`;
    // The operator's deny list comes first: in a shared deployment a tenant admin must not be able
    // to open what the platform itself stands on (the cloud metadata service, its own network).
    const rule = addressRule(destination.address);
    if (this.operatorDeny.allows(destination)) {
      return new EgressError('Refused', `${what} is ${rule === undefined ? 'an address' : describeAddressRule(rule)} that the operator closes to every tenant (EGRESS_DENY)`, rule);
    }
    if (rule === undefined || this.operatorAllow.allows(destination) || tenantAllow.allows(destination)) return undefined;
    return new EgressError('Refused', `${what} is ${describeAddressRule(rule)}; a tenant admin may allow it with PUT /v1/egress`, rule);
  }

  /** Makes the request through the guard; the response of the last hop is the caller's to read. */
  async fetch(url: string | URL, init: RequestInit, options: GuardedFetchOptions): Promise<{ response: Response; url: URL }> {
    const dispatcher = this.agentFor(options.allow);
    let current = new URL(url);
    let request = init;
    for (let hop = 0; ; hop++) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') throw new EgressError('BadUrl', `only http and https can be reached, not ${current.protocol}`);
      let response: Response;
      try {
        response = await fetch(current, { ...request, redirect: 'manual', dispatcher });
      } catch (error) {
        throw egressErrorIn(error) ?? error;
      }
      const location = response.headers.get('location');
      if (options.maxRedirects === 0 || !redirectStatuses.has(response.status) || location === null) return { response, url: current };
      await response.body?.cancel();
      if (hop >= options.maxRedirects) throw new EgressError('TooManyRedirects', `more than ${options.maxRedirects} redirects`);
      const next = URL.parse(location, current.href);
      if (next === null) throw new EgressError('BadUrl', `a redirect from ${current.host} pointed to something that is not a URL`);
      // 303 (and, as browsers do, 301/302 after a POST) continue as GET without the body.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && request.method !== undefined && request.method.toUpperCase() === 'POST')) {
        const { body: _body, ...rest } = request;
        request = { ...rest, method: 'GET' };
      }
      current = next;
    }
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((agent) => agent.close()));
  }

  private agentFor(entries: readonly string[]): Agent {
    const key = JSON.stringify(entries);
    const cached = this.agents.get(key);
    if (cached) {
      // Most recently used last, so the oldest is the one let go.
      this.agents.delete(key);
      this.agents.set(key, cached);
      return cached;
    }
    const allow = new AllowList(entries);
    const agent = new Agent({ connect: (options, callback) => this.connect(allow, options, callback) });
    this.agents.set(key, agent);
    if (this.agents.size > 100) {
      const [oldestKey, oldest] = this.agents.entries().next().value!;
      this.agents.delete(oldestKey);
      void oldest.close();
    }
    return agent;
  }

  private connect(allow: AllowList, options: buildConnector.Options, callback: buildConnector.Callback): void {
    const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
    const refuse = (error: EgressError) => callback(error, null);
    if (isIP(host) !== 0) {
      const refused = this.refusal({ host, port, address: host }, allow);
      if (refused) return refuse(refused);
    }
    const lookup: LookupFunction = (hostname, lookupOptions, done) => {
      this.resolver(hostname).then(
        (addresses) => {
          if (addresses.length === 0) return done(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
          for (const { address } of addresses) {
            const refused = this.refusal({ host: hostname, port, address }, allow);
            if (refused) return done(refused, '', 0);
          }
          if (lookupOptions.all) return (done as unknown as (error: null, all: readonly { address: string; family: number }[]) => void)(null, addresses);
          done(null, addresses[0]!.address, addresses[0]!.family);
        },
        (error: NodeJS.ErrnoException) => done(error, '', 0),
      );
    };
    buildConnector({ lookup } as buildConnector.BuildOptions)(options, (error, socket) => {
      if (error || !socket) return callback(error ?? new Error('no socket'), null);
      // The peer actually connected to: the invariant the checks above exist for.
      const address = (socket as Socket).remoteAddress;
      const refused = address === undefined ? new EgressError('Refused', `the connection to ${host} has no peer address`) : this.refusal({ host, port, address }, allow);
      if (refused) {
        socket.destroy();
        return refuse(refused);
      }
      callback(null, socket);
    });
  }
}

/**
 * EGRESS_ALLOW: destinations the operator trusts for every tenant (the identity provider, an OTLP
 * collector), comma-separated host, host:port, IP address or CIDR entries. Each service's config
 * schema uses it, so a bad entry stops start-up naming the variable and the entry.
 */
const egressEntries = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''))
  .pipe(z.array(egressAllowEntrySchema, { error: 'expects comma-separated host, host:port, IP address or CIDR entries' }));

export const egressAllowVariable = egressEntries.default([]);

/** Where cloud providers answer instance metadata (credentials among it): link-local IPv4 and IPv6, and AWS's IPv6 endpoint. */
export const metadataRanges: readonly string[] = ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::/32'];

/**
 * EGRESS_DENY: destinations no tenant may reach even when its allow-list names them, in the same
 * syntax; by default the cloud metadata ranges. `none` leaves it empty.
 */
export const egressDenyVariable = z
  .string()
  .transform((value) => (value.trim() === 'none' ? '' : value))
  .pipe(egressEntries)
  .default([...metadataRanges]);
