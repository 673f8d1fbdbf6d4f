import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of every webhook request (docs/integration.md shows how a receiver checks them). */
export const WEBHOOK_HEADERS = {
  webhook: 'x-ybt-webhook-id',
  delivery: 'x-ybt-delivery-id',
  timestamp: 'x-ybt-timestamp',
  signature: 'x-ybt-signature',
} as const;

/** `sha256=` and the hex HMAC-SHA256, keyed by the secret, of `<timestamp>.<body>` (the body as sent, bytes). */
export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does (used by the tests as a receiver would): the signature matches and the timestamp is recent. */
export function verifySignature(secret: string, header: string | undefined, timestamp: string | undefined, body: string, toleranceSeconds = 300, now = Date.now()): boolean {
  if (!header || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(signature(secret, Number(timestamp), body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Whether a URL's host is on the administrator's list (a name alone allows any port; name:port only that port). */
export function hostAllowed(url: URL, allowed: string[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowed.some((a) => a === host || a === `${host}:${port}`);
}
