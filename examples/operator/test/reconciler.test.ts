import { describe, expect, it } from 'vitest';
import { applicationKeyOfTrackedApp, shortRevision, trackingAppName } from '../src/index.js';

describe('reconciler helpers', () => {
  it('tracking app names round-trip to Application keys (a namespace never contains "_")', () => {
    for (const key of ['apps/web', 'team-a/my_app', 'default/a_b_c']) {
      expect(applicationKeyOfTrackedApp(trackingAppName(key))).toBe(key);
    }
    expect(trackingAppName('apps/web')).toBe('apps_web');
    // A tracking id's app part may not contain ':' or '/', which keys never put there.
    expect(trackingAppName('apps/web')).not.toMatch(/[:/]/);
  });

  it('shortRevision: branch@abc1234 for Flux-style revisions, the text otherwise', () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    expect(shortRevision(`main@sha1:${sha}`)).toBe('main@0123456');
    expect(shortRevision(`sha1:${sha}`)).toBe('0123456');
    expect(shortRevision(sha)).toBe('0123456');
    expect(shortRevision('v1.2.3')).toBe('v1.2.3');
    expect(shortRevision(undefined)).toBe('');
  });
});
