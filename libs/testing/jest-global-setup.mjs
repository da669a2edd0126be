// Jest loads global setup outside its module system, so TypeScript sources are compiled on the fly.
await import('@swc-node/register/esm-register');
const { ensureTestPostgres } = await import('./src/postgres-for-tests.ts');
const { ensureTestKafka } = await import('./src/kafka-for-tests.ts');

export default async function globalSetup() {
  await Promise.all([ensureTestPostgres(), ensureTestKafka()]);
}
