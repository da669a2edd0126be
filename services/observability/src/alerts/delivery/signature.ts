import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature header of one delivery, as Stripe signs its webhooks: `t=<unix seconds>,v1=<hex>`
 * where v1 is HMAC-SHA256 over `<t>.<raw body>` with the tenant's webhook secret. The timestamp is
 * inside what is signed, so a receiver that refuses old timestamps refuses a replayed delivery.
 */
export function signatureHeader(secret: string, rawBody: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex')}`;
}

/**
 * What a receiver does: true when the header's signature is the body's under the secret and its
 * timestamp is within `toleranceSeconds` of `nowSeconds`. Compared in constant time.
 */
export function verifySignature(secret: string, rawBody: string, header: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string | undefined]));
  const timestamp = Number(parts.get('t'));
  const signature = parts.get('v1');
  if (!Number.isInteger(timestamp) || signature === undefined || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureHeader(secret, rawBody, timestamp).split('v1=')[1]!, 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
