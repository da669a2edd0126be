export { piiKinds, redactPii, type PiiKind, type Redaction } from './redact.js';
