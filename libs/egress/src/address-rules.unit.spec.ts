import { parseEgressEntry } from '@agent-orchestrator/contracts';
import { addressRule } from './address-rules.js';
import { AllowList } from './allow-list.js';

describe('address rules', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['::ffff:192.168.1.1', 'private'],
    ['fd00::1', 'private'],
    ['fc00::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['[fe80::1%eth0]', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['not an address', 'reserved'],
  ])('refuses %s as %s', (address, rule) => {
    expect(addressRule(address)).toBe(rule);
  });

  it.each(['8.8.8.8', '93.184.215.14', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])('lets the public address %s through', (address) => {
    expect(addressRule(address)).toBeUndefined();
  });
});

describe('allow-list entries', () => {
  it.each([
    ['crm.internal', { kind: 'host', host: 'crm.internal' }],
    ['CRM.internal:8443', { kind: 'host', host: 'crm.internal', port: 8443 }],
    ['127.0.0.1', { kind: 'address', host: '127.0.0.1' }],
    ['127.0.0.1:3001', { kind: 'address', host: '127.0.0.1', port: 3001 }],
    ['[fd00::5]:8443', { kind: 'address', host: 'fd00::5', port: 8443 }],
    ['10.20.0.0/16', { kind: 'cidr', host: '10.20.0.0/16' }],
    ['fd00::/8', { kind: 'cidr', host: 'fd00::/8' }],
  ])('reads %s', (entry, parsed) => {
    expect(parseEgressEntry(entry)).toEqual(parsed);
  });

  it.each(['', 'http://crm', 'crm:0', 'crm:70000', 'a b', '10.0.0.0/33', 'fd00::zz', '[crm]:80', 'crm:80:90'])('refuses %j', (entry) => {
    expect(parseEgressEntry(entry)).toBeUndefined();
  });

  it('matches a host by name on any port or one port, an address, and a CIDR block', () => {
    const list = new AllowList(['localhost', 'crm.internal:8443', '127.0.0.2', '10.20.0.0/16', '::ffff:192.168.0.0/112']);
    expect(list.allows({ host: 'LOCALHOST.', port: 80, address: '127.0.0.1' })).toBe(true);
    expect(list.allows({ host: 'crm.internal', port: 8443, address: '10.9.9.9' })).toBe(true);
    expect(list.allows({ host: 'crm.internal', port: 80, address: '10.9.9.9' })).toBe(false);
    expect(list.allows({ host: 'x', port: 1, address: '::ffff:127.0.0.2' })).toBe(true);
    expect(list.allows({ host: 'x', port: 1, address: '127.0.0.1' })).toBe(false);
    expect(list.allows({ host: 'x', port: 1, address: '10.20.3.4' })).toBe(true);
    expect(list.allows({ host: 'x', port: 1, address: '10.21.3.4' })).toBe(false);
    expect(list.allows({ host: 'x', port: 1, address: '192.168.7.7' })).toBe(true);
  });
});
