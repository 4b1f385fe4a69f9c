import { describe, expect, it } from 'vitest';
import {
  compareHealth,
  HEALTH_STATUS_ORDER,
  isHealthStatusCode,
  isWorseHealth,
  VERSION,
  worstHealth,
} from '../src/index.js';

describe('health statuses', () => {
  it('orders Healthy < Suspended < Progressing < Missing < Degraded < Unknown', () => {
    expect(HEALTH_STATUS_ORDER).toEqual([
      'Healthy',
      'Suspended',
      'Progressing',
      'Missing',
      'Degraded',
      'Unknown',
    ]);
    expect(isWorseHealth('Healthy', 'Progressing')).toBe(true);
    expect(isWorseHealth('Healthy', 'Degraded')).toBe(true);
    expect(isWorseHealth('Degraded', 'Progressing')).toBe(false);
    expect(isWorseHealth('Missing', 'Degraded')).toBe(true);
    expect(isWorseHealth('Unknown', 'Unknown')).toBe(false);
    expect(
      ['Unknown', 'Healthy', 'Missing', 'Suspended'].sort(compareHealth as (a: string, b: string) => number),
    ).toEqual(['Healthy', 'Suspended', 'Missing', 'Unknown']);
  });

  it('finds the worst status, Healthy for none', () => {
    expect(worstHealth([])).toBe('Healthy');
    expect(worstHealth(['Progressing', 'Suspended', 'Degraded', 'Healthy'])).toBe('Degraded');
  });

  it('recognises only the six statuses, case-sensitively', () => {
    expect(isHealthStatusCode('Healthy')).toBe(true);
    expect(isHealthStatusCode('healthy')).toBe(false);
    expect(isHealthStatusCode(3)).toBe(false);
  });

  it('exports its version', () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
