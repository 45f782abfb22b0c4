import { describe, expect, it } from 'vitest';
import { bodyEssentials } from '../../scenarios/k6/body-hash.js';
import { readResponseBody } from '../../src/load/response-body.js';

describe('the k6 script hashes response bodies as the embedded engine does', () => {
  const bodies = [
    '{"id":"pay_1","status":"succeeded","amount":120,"currency":"USD","created":"2026-01-01T00:00:00Z"}',
    '{ "currency": "USD", "balance": -5, "id": "acc-0001" }',
    '{"error":{"type":"idempotency_key_in_use","nested":[1,2.5,true,null,{"a":"é"}]}}',
    '<html>502 Bad Gateway</html>',
    '',
  ];
  for (const body of bodies)
    it(`same hash, id and balance for ${JSON.stringify(body.slice(0, 30))}`, () => {
      const engine = readResponseBody(Buffer.from(body));
      expect(bodyEssentials(body)).toEqual({
        bodyHash: engine.bodyHash,
        id: engine.id,
        balance: engine.balance,
      });
    });
});
