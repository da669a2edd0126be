export default async function globalTeardown() {
  await globalThis.__localPostgres?.stop();
}
