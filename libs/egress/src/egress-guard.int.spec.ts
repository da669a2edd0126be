import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EgressError, EgressGuard, egressAllowVariable, egressDenyVariable, type Resolver } from './egress-guard.js';

/** A server on loopback that counts what reaches it; `/redirect?to=` answers 302. */
async function startServer(): Promise<{ server: Server; port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const to = new URL(request.url ?? '/', 'http://x').searchParams.get('to');
    if (to !== null) return void response.writeHead(302, { location: to }).end();
    response.writeHead(200, { 'content-type': 'text/plain' }).end('internal answer');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

async function refusal(attempt: Promise<unknown>): Promise<EgressError> {
  const error = await attempt.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (!(error instanceof EgressError)) throw new Error(`expected an EgressError, got ${String(error)}`);
  return error;
}

describe('the egress guard', () => {
  let internal: Awaited<ReturnType<typeof startServer>>;
  let other: Awaited<ReturnType<typeof startServer>>;
  const guards: EgressGuard[] = [];
  const guard = (options?: ConstructorParameters<typeof EgressGuard>[0]) => {
    const made = new EgressGuard(options);
    guards.push(made);
    return made;
  };

  beforeAll(async () => {
    internal = await startServer();
    other = await startServer();
  });
  afterAll(async () => {
    await Promise.all(guards.map((made) => made.close()));
    await Promise.all([internal, other].map(({ server }) => new Promise((resolve) => server.close(resolve))));
  });
  beforeEach(() => {
    internal.requests.splice(0);
    other.requests.splice(0);
  });

  it('refuses loopback by address and by a name that resolves to it, and nothing reaches the server', async () => {
    const plain = guard();
    const byAddress = await refusal(plain.fetch(`http://127.0.0.1:${internal.port}/`, {}, { allow: [], maxRedirects: 0 }));
    expect(byAddress).toMatchObject({ code: 'Refused', rule: 'loopback', message: '127.0.0.1 is a loopback address; a tenant admin may allow it with PUT /v1/egress' });
    const byName = await refusal(plain.fetch(`http://localhost:${internal.port}/`, {}, { allow: [], maxRedirects: 0 }));
    expect(byName.message).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), which is a loopback address; a tenant admin may allow it with PUT \/v1\/egress$/);
    for (const url of [`http://[::1]:${internal.port}/`, `http://[::ffff:127.0.0.1]:${internal.port}/`, `http://[::ffff:7f00:1]:${internal.port}/`, `http://0.0.0.0:${internal.port}/`, `http://[::]:${internal.port}/`]) {
      expect((await refusal(plain.fetch(url, {}, { allow: [], maxRedirects: 0 }))).code).toBe('Refused');
    }
    expect(internal.requests).toEqual([]);
  });

  it('lets a listed destination through: host, host:port or CIDR from the tenant, or from the operator', async () => {
    const plain = guard();
    for (const allow of [['localhost'], [`127.0.0.1:${internal.port}`], ['127.0.0.0/8', '::1/128']]) {
      const host = allow[0] === 'localhost' ? 'localhost' : '127.0.0.1';
      const { response } = await plain.fetch(`http://${host}:${internal.port}/listed`, {}, { allow, maxRedirects: 0 });
      expect([response.status, await response.text()]).toEqual([200, 'internal answer']);
    }
    // host:port allows that port only.
    await refusal(plain.fetch(`http://127.0.0.1:${other.port}/`, {}, { allow: [`127.0.0.1:${internal.port}`], maxRedirects: 0 }));
    const operator = guard({ operatorAllow: egressAllowVariable.parse(` 127.0.0.1:${internal.port} , otel.internal`) });
    expect((await operator.fetch(`http://127.0.0.1:${internal.port}/operator`, {}, { allow: [], maxRedirects: 0 })).response.status).toBe(200);
    expect(internal.requests).toEqual(['/listed', '/listed', '/listed', '/operator']);
    expect(other.requests).toEqual([]);
    expect(egressAllowVariable.safeParse('ok.example, http://nope').error?.issues.map((issue) => issue.message)).toEqual(['"http://nope" is not a host, host:port, IP address or CIDR block']);
  });

  it("keeps what the operator denies closed whatever a tenant's list says; the cloud metadata ranges by default", async () => {
    const listed = { allow: ['localhost', '127.0.0.0/8', '169.254.0.0/16'], maxRedirects: 0 };
    const denied = await refusal(guard({ operatorDeny: ['127.0.0.0/8'] }).fetch(`http://localhost:${internal.port}/denied`, {}, listed));
    expect(denied.message).toBe('localhost resolves to 127.0.0.1, which is a loopback address that the operator closes to every tenant (EGRESS_DENY)');
    // The default deny list: a tenant may list the metadata address, and it stays closed.
    const metadata = await refusal(guard().fetch('http://169.254.169.254/latest/meta-data/', {}, { ...listed, allow: ['169.254.169.254'] }));
    expect(metadata.message).toMatch(/^169\.254\.169\.254 is a link-local address .* that the operator closes to every tenant \(EGRESS_DENY\)$/);
    // What the operator does not deny, the tenant's list still opens.
    expect((await guard({ operatorDeny: ['10.0.0.0/8'] }).fetch(`http://localhost:${internal.port}/open`, {}, listed)).response.status).toBe(200);
    expect(internal.requests.filter((path) => path === '/denied' || path === '/open')).toEqual(['/open']);
    expect(egressDenyVariable.parse(undefined)).toEqual(['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::/32']);
    expect(egressDenyVariable.parse('none')).toEqual([]);
    expect(egressDenyVariable.parse(' 10.0.0.0/8, vault.internal')).toEqual(['10.0.0.0/8', 'vault.internal']);
  });

  it('checks the addresses it connects to, so a name that answers public first and loopback next is refused', async () => {
    const answers = [[{ address: '203.0.113.7', family: 4 }], [{ address: '127.0.0.1', family: 4 }], [{ address: '8.8.8.8', family: 4 }, { address: '127.0.0.1', family: 4 }]];
    const asked: string[] = [];
    const rebinding: Resolver = async (hostname) => {
      asked.push(hostname);
      return answers.shift() ?? [];
    };
    const plain = guard({ resolver: rebinding });
    const url = `http://rebind.test:${internal.port}/`;
    // The first answer is a documentation address: refused too, as reserved, without connecting.
    expect((await refusal(plain.fetch(url, {}, { allow: [], maxRedirects: 0 }))).rule).toBe('reserved');
    expect((await refusal(plain.fetch(url, {}, { allow: [], maxRedirects: 0 }))).message).toBe('rebind.test resolves to 127.0.0.1, which is a loopback address; a tenant admin may allow it with PUT /v1/egress');
    // One answer holding a public and a loopback address is refused whole.
    expect((await refusal(plain.fetch(url, {}, { allow: [], maxRedirects: 0 }))).rule).toBe('loopback');
    expect(asked).toEqual(['rebind.test', 'rebind.test', 'rebind.test']);
    expect(internal.requests).toEqual([]);
  });

  it('checks every redirect hop: from an allowed host to a denied one is refused', async () => {
    const plain = guard();
    const allow = [`127.0.0.1:${internal.port}`];
    const toDenied = `http://127.0.0.1:${internal.port}/go?to=${encodeURIComponent(`http://localhost:${other.port}/secret`)}`;
    expect((await refusal(plain.fetch(toDenied, {}, { allow, maxRedirects: 5 }))).rule).toBe('loopback');
    expect(other.requests).toEqual([]);
    // Within the allowed host a redirect is followed; with maxRedirects 0 it is handed back.
    const within = `http://127.0.0.1:${internal.port}/go?to=${encodeURIComponent('/landed')}`;
    expect((await plain.fetch(within, {}, { allow, maxRedirects: 5 })).url.pathname).toBe('/landed');
    expect((await plain.fetch(within, {}, { allow, maxRedirects: 0 })).response.status).toBe(302);
    const loop = `http://127.0.0.1:${internal.port}/loop?to=${encodeURIComponent(`/loop?to=${encodeURIComponent('/x')}`)}`;
    expect(await refusal(plain.fetch(loop, {}, { allow, maxRedirects: 1 }))).toMatchObject({ code: 'TooManyRedirects' });
    expect((await refusal(plain.fetch(`http://127.0.0.1:${internal.port}/go?to=file:///etc/passwd`, {}, { allow, maxRedirects: 5 }))).code).toBe('BadUrl');
  });
});
