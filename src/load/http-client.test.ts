import { describe, expect, it } from 'vitest';
import { ResponseCollector } from './http-client.js';

class Collected extends ResponseCollector {
  ended = 0;
  protected responseEnded(): void {
    this.ended++;
  }
}

const raw = (...texts: string[]): Buffer[] => texts.map((t) => Buffer.from(t, 'latin1'));

describe('ResponseCollector', () => {
  it('reads the serving region and epoch headers whatever their case, raw or as strings', () => {
    for (const headers of [
      raw('Content-Type', 'application/json', 'X-Served-By-Region', 'eu-west', 'x-PRIMARY-epoch', '7'),
      ['x-served-by-region', 'eu-west', 'X-Primary-Epoch', '7'],
    ]) {
      const c = new Collected();
      c.onHeaders(201, headers);
      expect(c).toMatchObject({ status: 201, servedBy: 'eu-west', epoch: 7 });
    }
  });

  it('ignores names that differ in one character or in length, and an epoch that is not a number', () => {
    const c = new Collected();
    c.onHeaders(
      200,
      raw(
        'x-served-by-regiom',
        'a',
        'x_served-by-region',
        'b',
        'x-served-by-regions',
        'c',
        'x-primary-epoch',
        'soon',
      ),
    );
    expect(c.servedBy).toBeUndefined();
    expect(c.epoch).toBeUndefined();
  });

  it('keeps the body bytes across chunks and ends once', () => {
    const c = new Collected();
    c.onHeaders(200, []);
    c.onData(Buffer.from('{"a":'));
    c.onData(Buffer.from('1}'));
    c.onComplete();
    c.onError(new Error('late'));
    expect(c.bodyBytes().toString()).toBe('{"a":1}');
    expect(c.ended).toBe(1);
  });
});
