import { SmartHttpClient } from '@gitops-kit/git';
const url = process.argv[2] as string;
const client = new SmartHttpClient({ url, headers: {}, timeoutMs: 60000, retries: 0 });
const refs = await client.listRefs(['HEAD']);
const res = await client.fetchPack({ wants: [refs[0]!.oid], haves: [], shallow: [], depth: 1 });
const abs = new Set(res.pack.chunks.map((c) => c.buffer));
let backing = 0; for (const a of abs) backing += a.byteLength;
const lens = res.pack.chunks.map((c) => c.length);
console.log('pack', res.pack.length, 'pieces', lens.length, 'backing', backing, 'distinct', abs.size, 'sample', lens.slice(0, 12).join(','));
