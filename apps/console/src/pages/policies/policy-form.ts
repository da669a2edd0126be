import { schemas } from '../registries/request-schemas';
import type { FieldErrors } from '../registries/field-errors';
import type { JsonSchema } from '../registries/json-schema';
import type { Policy, PolicyRule } from './queries';

const document = schemas.setPolicies.properties ?? {};
/** A rule's schema as the API's setPolicies body gives it. */
export const ruleSchema: JsonSchema = document.rules?.items ?? {};
export const allowedToolsSchema: JsonSchema = document.allowedTools ?? {};
export const defaultEffectSchema: JsonSchema = document.defaultEffect ?? {};

export interface PolicyForm {
  /** Off: no allow-list (any tool); on: only the tools listed. */
  readonly allowList: boolean;
  readonly allowedTools: readonly string[];
  readonly rules: readonly Partial<PolicyRule>[];
  readonly defaultEffect: string;
}

export function formOf(policy: Policy): PolicyForm {
  return { allowList: policy.allowedTools !== undefined, allowedTools: policy.allowedTools ?? [], rules: policy.rules ?? [], defaultEffect: policy.defaultEffect ?? 'allow' };
}

/** The PUT /v1/policies body. */
export function bodyOf(form: PolicyForm) {
  return { ...(form.allowList ? { allowedTools: form.allowedTools } : {}), rules: form.rules, defaultEffect: form.defaultEffect };
}

/** An approval with the values the schema defaults to, so the form shows what the API would assume. */
export function defaultApproval(): Record<string, unknown> {
  const approval = ruleSchema.properties?.approval?.properties ?? {};
  return Object.fromEntries(Object.entries(approval).filter(([, schema]) => schema.default !== undefined).map(([key, schema]) => [key, schema.default]));
}

/** What the schema cannot say and the API checks: rule ids unique. */
export function ruleIdErrors(rules: readonly Partial<PolicyRule>[]): FieldErrors {
  const errors = new Map<string, string>();
  const seen = new Set<string>();
  rules.forEach((rule, index) => {
    if (!rule.id) return;
    if (seen.has(rule.id)) errors.set(`#/rules/${index}/id`, `another rule above already has the id ${rule.id}`);
    seen.add(rule.id);
  });
  return errors;
}
