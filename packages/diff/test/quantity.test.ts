import { describe, expect, it } from 'vitest';
import { canonicalQuantity, compareQuantities, parseQuantity } from '../src/index.js';

describe('resource quantities', () => {
  // Canonical forms as Kubernetes' resource.Quantity writes them back (quantity_test.go).
  it.each([
    ['1000m', '1'],
    ['0.5', '500m'],
    ['1.5', '1500m'],
    ['0.1', '100m'],
    ['100m', '100m'],
    ['1000', '1k'],
    ['2000000', '2M'],
    ['1024', '1024'],
    ['1048576', '1048576'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Ki', '512'],
    ['1Ki', '1Ki'],
    ['1000Mi', '1000Mi'],
    ['1e3', '1e3'],
    ['12e6', '12e6'],
    ['10e-3', '10e-3'],
    ['1E3', '1e3'],
    ['0', '0'],
    ['0Mi', '0'],
    ['-1', '-1'],
    ['-1500m', '-1500m'],
    ['1n', '1n'],
    ['0.0000000001', '1n'],
    ['+5', '5'],
    ['.5', '500m'],
  ])('%s → %s', (input, canonical) => {
    expect(canonicalQuantity(input)).toBe(canonical);
  });

  it('reads JSON numbers as their decimal text', () => {
    expect(canonicalQuantity(0.2)).toBe('200m');
    expect(canonicalQuantity(2)).toBe('2');
    expect(canonicalQuantity(1000)).toBe('1k');
  });

  it.each(['', 'abc', '1.2.3', '1Kb', 'Mi', '1 Gi', 'e3', '--1'])('rejects %j', (input) => {
    expect(parseQuantity(input)).toBeUndefined();
    expect(canonicalQuantity(input)).toBeUndefined();
  });

  it('compares by value across notations', () => {
    expect(compareQuantities('1Gi', '1073741824')).toBe(0);
    expect(compareQuantities('500m', '0.5')).toBe(0);
    expect(compareQuantities('1', '999m')).toBe(1);
    expect(compareQuantities('1Ki', '1k')).toBe(1);
    expect(compareQuantities('x', '1')).toBeUndefined();
  });
});
