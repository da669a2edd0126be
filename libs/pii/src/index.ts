export { piiKinds, redactPii, type PiiKind, type Redaction } from './redact.js';
export { redactJson, type JsonRedaction, type PiiFinding, type RedactJsonOptions } from './redact-json.js';
export { encodedForms, scrubSecrets } from './scrub-secrets.js';
