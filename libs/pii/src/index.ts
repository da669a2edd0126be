export { piiKinds, piiKindsFromSetting, redactPii, type PiiKind, type Redaction } from './redact.js';
export { redactJson, type JsonRedaction, type PiiFinding, type RedactJsonOptions } from './redact-json.js';
export { redactEvents, redactingDecider, type RedactedFields } from './redact-events.js';
export { encodedForms, scrubSecrets } from './scrub-secrets.js';
export { TenantPrivacy, type TenantPrivacyOptions } from './tenant-privacy.js';
