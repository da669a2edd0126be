import { parseEgressEntry } from '@agent-orchestrator/contracts';
import ipaddr from 'ipaddr.js';
import { canonicalAddress } from './address-rules.js';

/** A connection the guard is about to make: the name asked for, its port, and the address it resolved to. */
export interface Destination {
  readonly host: string;
  readonly port: number;
  readonly address: string;
}

type Matcher = (destination: Destination) => boolean;

function matcherOf(entry: string): Matcher {
  const parsed = parseEgressEntry(entry);
  if (parsed === undefined) throw new Error(`"${entry}" is not a host, host:port, IP address or CIDR block`);
  const portMatches = (port: number) => parsed.port === undefined || parsed.port === port;
  switch (parsed.kind) {
    case 'cidr': {
      const [network, bits] = ipaddr.parseCIDR(parsed.host);
      // An IPv4-mapped IPv6 block (::ffff:10.0.0.0/104) is written the way addresses are compared: as IPv4.
      const range: [ipaddr.IPv4 | ipaddr.IPv6, number] =
        network.kind() === 'ipv6' && (network as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96 ? [(network as ipaddr.IPv6).toIPv4Address(), bits - 96] : [network, bits];
      return ({ address }) => {
        const candidate = canonicalAddress(address);
        return candidate !== undefined && candidate.kind() === range[0].kind() && candidate.match(range);
      };
    }
    case 'address': {
      const allowed = canonicalAddress(parsed.host)!.toString();
      return ({ address, port }) => canonicalAddress(address)?.toString() === allowed && portMatches(port);
    }
    case 'host': {
      // A host name is trusted whatever it resolves to: the admin named it, not an address.
      const allowed = parsed.host.replace(/\.$/, '');
      return ({ host, port }) => host.toLowerCase().replace(/\.$/, '') === allowed && portMatches(port);
    }
  }
}

/** Destinations allowed although the address rules would refuse them. Entries are validated by the contracts' schema. */
export class AllowList {
  static readonly empty = new AllowList([]);
  private readonly matchers: readonly Matcher[];

  constructor(readonly entries: readonly string[]) {
    this.matchers = entries.map(matcherOf);
  }

  allows(destination: Destination): boolean {
    return this.matchers.some((matches) => matches(destination));
  }
}
