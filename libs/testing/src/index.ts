export { planRequested, planRequestedBatch, uniqueStream } from './events.js';
export { createTestSchema, defaultTestDatabaseUrl, testDatabaseUrl, type TestSchema } from './postgres.js';
export { waitFor } from './wait-for.js';
