export default async function globalTeardown() {
  await Promise.all([globalThis.__localPostgres?.stop(), globalThis.__localKafka?.stop()]);
}
