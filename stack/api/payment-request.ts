/** Validation of `POST /v1/payments` bodies and the canonical payload hash used for key reuse checks. */
import { createHash } from 'node:crypto';
import type { PaymentPayload } from '../../src/contract/payment.js';

export type ParsedPayment =
  { ok: true; payload: PaymentPayload; hash: string } | { ok: false; message: string };

export const MAX_KEY_LENGTH = 255;

export function parsePayment(raw: string): ParsedPayment {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { ok: false, message: 'body must be JSON: {"from","to","amount","currency"}' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, message: 'body must be a JSON object: {"from","to","amount","currency"}' };
  const { from, to, amount, currency } = body as Record<string, unknown>;
  if (typeof from !== 'string' || from === '' || from.length > 64)
    return { ok: false, message: '"from" must be an account id string' };
  if (typeof to !== 'string' || to === '' || to.length > 64)
    return { ok: false, message: '"to" must be an account id string' };
  if (from === to) return { ok: false, message: '"from" and "to" must be different accounts' };
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0)
    return { ok: false, message: '"amount" must be a positive integer (minor units)' };
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
    return { ok: false, message: '"currency" must be an ISO 4217 code such as "EUR"' };
  const payload = { from, to, amount, currency };
  return { ok: true, payload, hash: payloadHash(payload) };
}

/** sha256 of the canonical JSON (fixed key order) of the four payment fields. */
export function payloadHash(p: PaymentPayload): string {
  const canonical = `{"amount":${p.amount},"currency":${JSON.stringify(p.currency)},"from":${JSON.stringify(p.from)},"to":${JSON.stringify(p.to)}}`;
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}
