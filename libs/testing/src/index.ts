export { createTestSchema, defaultTestDatabaseUrl, testDatabaseUrl, type TestSchema } from './postgres.js';
export { waitFor } from './wait-for.js';
