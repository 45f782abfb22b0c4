import { describe, expect, it } from 'vitest';
import { booleanField, integerField, objectFields, parseJsonBody, stringField } from './decode.js';

describe('request body decoding', () => {
  it('empty bodies are EOF, broken JSON is a bad request body', () => {
    expect(() => parseJsonBody('  ')).toThrow('bad request body: EOF');
    expect(() => parseJsonBody('{')).toThrow(/^bad request body: /);
  });

  it('keys are case-insensitive (last duplicate wins) and null means unset', () => {
    const fields = objectFields({ Name: 'a', NAME: 'b', enabled: null }, 'proxy');
    expect(stringField(fields, 'name')).toBe('b');
    expect(booleanField(fields, 'enabled')).toBeUndefined();
    expect(objectFields(null, 'proxy').size).toBe(0);
    expect(() => objectFields([], 'proxy')).toThrow(/bad request body/);
  });

  it('types are checked', () => {
    const fields = objectFields({ name: 5, n: 1.5, m: 7 }, 'x');
    expect(() => stringField(fields, 'name')).toThrow(/must be a string/);
    expect(() => integerField(fields, 'n')).toThrow(/must be an integer/);
    expect(integerField(fields, 'm')).toBe(7);
  });
});
