export { evaluatePolicy, type PolicyCall, type PolicyVerdict } from './domain/evaluate.js';
export { PolicyChecks } from './policy-checks.js';
export { currentPolicy, policyDecider } from './policy-versions.js';
export { startPolicy } from './service.js';
