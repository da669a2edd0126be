import type { ApprovalRequirement, PolicyDocument, PolicyEffect, PolicyRule } from '@agent-orchestrator/contracts';

/** A call as policy sees it. `operation` is absent for built-in tools. */
export interface PolicyCall {
  readonly agent: string;
  /** The tool's registered name (or the built-in's). */
  readonly tool: string;
  readonly operation?: { readonly name: string; readonly method: string; readonly scopes: readonly string[] };
  /** What the session has spent so far, for budget rules. */
  readonly spent: { readonly costUsd: number; readonly tokens: number };
}

export interface PolicyVerdict {
  readonly effect: PolicyEffect;
  readonly ruleId: string;
  readonly reason: string;
  readonly approval?: ApprovalRequirement;
}

const strictness: Record<PolicyEffect, number> = { allow: 0, require_approval: 1, deny: 2 };

function matches(rule: PolicyRule, call: PolicyCall): boolean {
  const { agents, tools, operations, methods, scopes, sessionCostUsdAtLeast, sessionTokensAtLeast } = rule.match;
  if (sessionCostUsdAtLeast !== undefined && call.spent.costUsd < sessionCostUsdAtLeast) return false;
  if (sessionTokensAtLeast !== undefined && call.spent.tokens < sessionTokensAtLeast) return false;
  if (agents && !agents.includes(call.agent)) return false;
  if (tools && !tools.includes(call.tool)) return false;
  if (operations && (!call.operation || !operations.includes(call.operation.name))) return false;
  if (methods && (!call.operation || !(methods as readonly string[]).includes(call.operation.method))) return false;
  if (scopes && (!call.operation || !scopes.some((scope) => call.operation!.scopes.includes(scope)))) return false;
  return true;
}

/**
 * Decides one call: off the allow-list is denied; otherwise the strictest matching rule wins
 * (deny, then require_approval, then allow; the first of equals), else the default effect.
 */
export function evaluatePolicy(policy: PolicyDocument, call: PolicyCall): PolicyVerdict {
  const what = call.operation ? `${call.tool}.${call.operation.name} (${call.operation.method.toUpperCase()})` : call.tool;
  if (policy.allowedTools && !policy.allowedTools.includes(call.tool)) {
    return { effect: 'deny', ruleId: 'allow-list', reason: `${call.tool} is not on the tenant's allow-list of tools` };
  }
  let winner: PolicyRule | undefined;
  for (const rule of policy.rules) {
    if (matches(rule, call) && (winner === undefined || strictness[rule.effect] > strictness[winner.effect])) winner = rule;
  }
  if (winner === undefined) {
    return { effect: policy.defaultEffect, ruleId: 'default', reason: `no rule matches ${what} by ${call.agent}; the default is ${policy.defaultEffect}` };
  }
  const said = winner.description ? `: ${winner.description}` : '';
  switch (winner.effect) {
    case 'allow':
      return { effect: 'allow', ruleId: winner.id, reason: `rule ${winner.id} allows ${what}${said}` };
    case 'deny':
      return { effect: 'deny', ruleId: winner.id, reason: `rule ${winner.id} denies ${what}${said}` };
    case 'require_approval': {
      const approval = winner.approval!;
      return {
        effect: 'require_approval',
        ruleId: winner.id,
        reason: `rule ${winner.id} holds ${what} for ${approval.approvers} ${approval.role}${approval.approvers > 1 ? 's' : ''}${said}`,
        approval,
      };
    }
  }
}
