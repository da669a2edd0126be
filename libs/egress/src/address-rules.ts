import ipaddr from 'ipaddr.js';

/** Why an address is refused by default; the names are what refusals say. */
export type AddressRule = 'loopback' | 'private' | 'link-local' | 'carrier-grade NAT' | 'multicast' | 'unspecified' | 'broadcast' | 'reserved';

const described: Record<AddressRule, string> = {
  loopback: 'a loopback address',
  private: 'a private address (RFC 1918, or IPv6 unique local fc00::/7)',
  'link-local': 'a link-local address (169.254.0.0/16 or fe80::/10, where cloud metadata services answer)',
  'carrier-grade NAT': 'a carrier-grade NAT address (100.64.0.0/10)',
  multicast: 'a multicast address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
};

export const describeAddressRule = (rule: AddressRule): string => described[rule];

/** An IPv4 or IPv6 address in one canonical form: IPv4-mapped IPv6 (::ffff:7f00:1) becomes its IPv4 address. */
export function canonicalAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  return ipaddr.isValid(bare) ? ipaddr.process(bare) : undefined;
}

/** The IPv4 address an IPv6 address carries inside it (IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16), if any. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const bytes = address.toByteArray();
  const range = address.range();
  if (range === 'rfc6052' || (bytes.slice(0, 12).every((byte) => byte === 0) && range === 'unicast')) return new ipaddr.IPv4(bytes.slice(12, 16));
  if (range === '6to4') return new ipaddr.IPv4(bytes.slice(2, 6));
  return undefined;
}

const v4Rules: Record<string, AddressRule | undefined> = {
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local',
  carrierGradeNat: 'carrier-grade NAT',
  multicast: 'multicast',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
};
const v6Rules: Record<string, AddressRule | undefined> = { loopback: 'loopback', uniqueLocal: 'private', linkLocal: 'link-local', multicast: 'multicast', unspecified: 'unspecified' };

/**
 * The rule that refuses an address by default, or undefined for an ordinary public unicast
 * address. Anything ipaddr.js does not class as unicast is refused (documentation, benchmarking,
 * 240/4, Teredo, site-local...), so a range it learns later is refused until someone looks at it.
 * An address that is not an IP address at all is refused as reserved: the guard never connects
 * to what it cannot classify.
 */
export function addressRule(address: string): AddressRule | undefined {
  const parsed = canonicalAddress(address);
  if (parsed === undefined) return 'reserved';
  if (parsed.kind() === 'ipv6') {
    const inner = embeddedIPv4(parsed as ipaddr.IPv6);
    if (inner !== undefined) return addressRule(inner.toString());
  }
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  return (parsed.kind() === 'ipv4' ? v4Rules : v6Rules)[range] ?? 'reserved';
}
