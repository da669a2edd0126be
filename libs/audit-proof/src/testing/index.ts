export { bundleLines, leavesOf, makeKeys, makeLog, signCheckpoint, signedBundle, writeBundle, type BundleSpec, type LoggedEvent, type TestKey } from './bundle-builder.js';
export { scenario, type Scenario } from './scenario.js';
