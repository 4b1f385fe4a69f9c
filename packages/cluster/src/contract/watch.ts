import type { WatchEvent } from '../cluster-client.js';
import { type ContractContext, cm } from './support.js';

/** Watch: events from a resourceVersion, bookmarks, selectors, relisting after 410 Gone. */
export function watchContract(ctx: ContractContext): void {
  ctx.t.describe('watch', () => {
    watchTests(ctx);
  });
}

// Events, bookmarks, selectors, relisting.
function watchTests({ t, h }: ContractContext): void {
  const { it, expect } = t;
  const client = () => h().client;
  it('reports ADDED, MODIFIED, DELETED and BOOKMARK events from a resourceVersion', async () => {
    const start = await client().list('v1', 'ConfigMap', { namespace: 'contract' });
    const controller = new AbortController();
    const events: WatchEvent[] = [];
    const done = (async () => {
      for await (const e of client().watch('v1', 'ConfigMap', {
        namespace: 'contract',
        resourceVersion: start.resourceVersion,
        bookmarks: true,
        signal: controller.signal,
      })) {
        events.push(e);
        if (e.type === 'DELETED' && e.object.metadata.name === 'watched') break;
      }
    })();
    await client().create(cm('watched'));
    await client().patch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'watched' },
      'merge',
      { data: { a: '2' } },
    );
    await client().delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'watched' });
    await done;
    controller.abort();
    const mine = events
      .filter((e) => e.type !== 'BOOKMARK')
      .map((e) => `${e.type} ${e.object.metadata.name}`);
    expect(mine).toEqual(['ADDED watched', 'MODIFIED watched', 'DELETED watched']);
  });
  it('reports bookmarks with the current resourceVersion when asked', async () => {
    const controller = new AbortController();
    const start = (await client().list('v1', 'ConfigMap', { namespace: 'contract' })).resourceVersion;
    for await (const e of client().watch('v1', 'ConfigMap', {
      namespace: 'contract',
      resourceVersion: start,
      bookmarks: true,
      signal: controller.signal,
    })) {
      expect(e.type).toBe('BOOKMARK');
      expect(Number(e.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(start));
      break;
    }
    controller.abort();
  });
  it('lists first when no resourceVersion is given, and filters by selector', async () => {
    await client().create(cm('sel-a', {}, { watch: 'yes' }));
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const e of client().watch('v1', 'ConfigMap', {
      namespace: 'contract',
      labelSelector: 'watch=yes',
      signal: controller.signal,
    })) {
      seen.push(`${e.type} ${e.object.metadata.name}`);
      if (seen.length === 1) await client().create(cm('sel-b', {}, { watch: 'yes' }));
      if (seen.length === 2) break;
    }
    controller.abort();
    expect(seen).toEqual(['ADDED sel-a', 'ADDED sel-b']);
  });
  it('resumes after 410 Gone by relisting, reporting what changed meanwhile', async () => {
    const compact = h().compactHistory;
    // Needs a way to expire the server's history: passes trivially without one.
    if (!compact) return;
    const before = await client().create(cm('gone-mod'));
    await client().create(cm('gone-del'));
    const rv = (await client().list('v1', 'ConfigMap', { namespace: 'contract' })).resourceVersion;
    await client().patch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'contract', name: 'gone-mod' },
      'merge',
      { data: { a: 'new' } },
    );
    await client().create(cm('gone-new'));
    await compact();
    const controller = new AbortController();
    const seen = new Map<string, string>();
    for await (const e of client().watch('v1', 'ConfigMap', {
      namespace: 'contract',
      resourceVersion: rv,
      signal: controller.signal,
    })) {
      seen.set(e.object.metadata.name as string, e.type);
      if (seen.has('gone-new')) break;
    }
    controller.abort();
    // The relist reports every object the watcher did not know yet as ADDED.
    expect(seen.get('gone-new')).toBe('ADDED');
    expect(seen.get('gone-mod')).toBe('ADDED');
    expect(before.metadata.name).toBe('gone-mod');
  });
}
