/**
 * The SQLSTATE of an error PostgreSQL raised, read through pg's error (`code`) or TypeORM's
 * QueryFailedError, which copies pg's fields and also keeps the original as `driverError`.
 * Undefined for anything else (Node's socket errors carry a code that is no SQLSTATE).
 */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  const candidate = typeof code === 'string' ? code : driverError?.code;
  return typeof candidate === 'string' && /^[0-9A-Z]{5}$/.test(candidate) ? candidate : undefined;
}
