/**
 * A payment as clients send it (`POST /v1/payments`) and the checkers see it in the history: a transfer
 * of an integer amount of minor units between two accounts in one currency.
 */
export interface PaymentPayload {
  from: string;
  to: string;
  amount: number; // integer minor units
  currency: string;
}
