import { policyDocumentSchema, type PolicyDocument } from '@agent-orchestrator/contracts';
import { evaluatePolicy, type PolicyCall } from './evaluate.js';

const policy = (document: unknown): PolicyDocument => policyDocumentSchema.parse(document);
const nothingSpent = { costUsd: 0, tokens: 0 };
const read: PolicyCall = { agent: 'Executor', tool: 'crm', operation: { name: 'getCustomer', method: 'get', scopes: ['crm:read'] }, spent: nothingSpent };
const write: PolicyCall = { agent: 'Executor', tool: 'crm', operation: { name: 'updateCustomer', method: 'patch', scopes: ['crm:write'] }, spent: nothingSpent };
const echo: PolicyCall = { agent: 'Executor', tool: 'echo', spent: nothingSpent };

describe('evaluatePolicy', () => {
  it('allows everything under the empty policy, naming the default', () => {
    expect(evaluatePolicy(policy({}), write)).toMatchObject({ effect: 'allow', ruleId: 'default' });
  });

  it('denies a tool off the allow-list whatever the rules say', () => {
    const verdict = evaluatePolicy(policy({ allowedTools: ['echo'], rules: [{ id: 'all', effect: 'allow' }] }), read);
    expect(verdict).toEqual({ effect: 'deny', ruleId: 'allow-list', reason: "crm is not on the tenant's allow-list of tools" });
    expect(evaluatePolicy(policy({ allowedTools: ['echo'] }), echo).effect).toBe('allow');
  });

  it('holds writes for approval and lets reads through, by method', () => {
    const rules = policy({ rules: [{ id: 'writes', effect: 'require_approval', match: { methods: ['post', 'patch', 'delete'] }, approval: { approvers: 2 } }] });
    expect(evaluatePolicy(rules, read)).toMatchObject({ effect: 'allow', ruleId: 'default' });
    expect(evaluatePolicy(rules, write)).toMatchObject({
      effect: 'require_approval',
      ruleId: 'writes',
      approval: { role: 'approver', approvers: 2, expiresInSeconds: 86_400, onExpiry: 'fail' },
      reason: 'rule writes holds crm.updateCustomer (PATCH) for 2 approvers',
    });
  });

  it('lets the strictest matching rule win, the first of equals', () => {
    const rules = policy({
      rules: [
        { id: 'crm-ok', effect: 'allow', match: { tools: ['crm'] } },
        { id: 'writes', effect: 'require_approval', match: { scopes: ['crm:write'] }, approval: {} },
        { id: 'no-researcher-writes', effect: 'deny', match: { agents: ['Researcher'], scopes: ['crm:write'] } },
        { id: 'also-writes', effect: 'require_approval', match: { operations: ['updateCustomer'] }, approval: { role: 'admin' } },
      ],
    });
    expect(evaluatePolicy(rules, read).ruleId).toBe('crm-ok');
    expect(evaluatePolicy(rules, write)).toMatchObject({ effect: 'require_approval', ruleId: 'writes', approval: { role: 'approver' } });
    expect(evaluatePolicy(rules, { ...write, agent: 'Researcher' })).toMatchObject({ effect: 'deny', ruleId: 'no-researcher-writes' });
  });

  it('never matches an operation, method or scope criterion on a built-in tool', () => {
    const rules = policy({ defaultEffect: 'deny', rules: [{ id: 'gets', effect: 'allow', match: { methods: ['get'] } }] });
    expect(evaluatePolicy(rules, echo)).toMatchObject({ effect: 'deny', ruleId: 'default' });
    expect(evaluatePolicy(rules, read)).toMatchObject({ effect: 'allow', ruleId: 'gets' });
  });

  it('holds or denies calls once the session has spent what a budget rule names', () => {
    const budget = policy({
      rules: [
        { id: 'pricey', effect: 'require_approval', match: { sessionCostUsdAtLeast: 2 }, approval: { role: 'admin' } },
        { id: 'spent-out', effect: 'deny', match: { sessionTokensAtLeast: 1_000_000 } },
      ],
    });
    expect(evaluatePolicy(budget, { ...read, spent: { costUsd: 1.99, tokens: 10 } })).toMatchObject({ effect: 'allow', ruleId: 'default' });
    expect(evaluatePolicy(budget, { ...read, spent: { costUsd: 2, tokens: 10 } })).toMatchObject({ effect: 'require_approval', ruleId: 'pricey' });
    expect(evaluatePolicy(budget, { ...echo, spent: { costUsd: 5, tokens: 1_000_000 } })).toMatchObject({ effect: 'deny', ruleId: 'spent-out' });
  });

  it('refuses documents that cannot be meant', () => {
    expect(() => policy({ rules: [{ id: 'x', effect: 'require_approval' }] })).toThrow(/exactly when its effect/);
    expect(() => policy({ rules: [{ id: 'x', effect: 'allow', approval: {} }] })).toThrow(/exactly when its effect/);
    expect(() => policy({ rules: [{ id: 'x', effect: 'allow' }, { id: 'x', effect: 'deny' }] })).toThrow(/unique/);
    expect(() => policy({ rules: [{ id: 'x', effect: 'allow', match: { verbs: ['get'] } }] })).toThrow(/verbs/);
  });
});
