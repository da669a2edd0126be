/** The demo policy: only the CRM and echo may be called, and changing a customer needs an approver. */
export const demoPolicy = {
  allowedTools: ['crm', 'echo'],
  rules: [{ id: 'crm-writes-need-approval', description: 'Changing a customer needs an approver', effect: 'require_approval', match: { tools: ['crm'], methods: ['patch'] }, approval: { role: 'approver' } }],
};

/**
 * Sets the demo tenant up through the public API, as a newcomer would: an egress allow-list that
 * lets the platform reach the demo CRM (on loopback, which is refused by default) and nothing
 * else, the CRM as tool `crm`, the AccountManager agent, and a policy under which changing a
 * customer needs an approver. Only what is missing (or, for the tool and the allow-list, set for
 * another address) is written; a policy the tenant already set is left alone.
 */
export async function provisionDemo(options: { readonly gatewayUrl: string; readonly apiKey: string; readonly crmUrl: string }): Promise<string[]> {
  const done: string[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${options.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${options.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 400 && response.status !== 404) throw new Error(`demo set-up: ${method} ${path} answered ${response.status}: ${text}`);
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  const crm = new URL(options.crmUrl).host;
  const egress = await call('GET', '/v1/egress');
  if (JSON.stringify(egress.body.allow) !== JSON.stringify([crm])) {
    await call('PUT', '/v1/egress', { allow: [crm] });
    done.push(`allowed egress to the demo CRM (${crm}) only`);
  }
  const tool = await call('GET', '/v1/tools/crm');
  if (tool.status === 404 || tool.body.baseUrl !== options.crmUrl) {
    await call('POST', '/v1/tools', { name: 'crm', url: `${options.crmUrl}/openapi.json`, description: 'The demo CRM', scopes: ['crm:read', 'crm:write'] });
    done.push(`registered tool crm (${options.crmUrl})`);
  }
  if ((await call('GET', '/v1/agents/AccountManager')).status === 404) {
    await call('POST', '/v1/agents', { name: 'AccountManager', instructions: 'You look after customers in the CRM: read them before you change them.', tools: ['crm'] });
    done.push('defined agent AccountManager');
  }
  if ((await call('GET', '/v1/policies')).body.version === 0) {
    await call('PUT', '/v1/policies', demoPolicy);
    done.push('set the demo policy (crm writes need an approver)');
  }
  return done;
}
