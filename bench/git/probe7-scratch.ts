import { SmartHttpClient } from '@gitops-kit/git';
import { indexPack } from '../../packages/git/src/pack-index.js';
import { indexPack as oldIndexPack } from './oldpi-scratch.js';
const url = process.argv[2] as string;
const client = new SmartHttpClient({ url, headers: {}, timeoutMs: 60000, retries: 0 });
const refs = await client.listRefs(['HEAD']);
const res = await client.fetchPack({ wants: [refs[0]!.oid], haves: [], shallow: [], depth: 1 });
for (let r = 0; r < 3; r++) {
  let t = performance.now(); indexPack(res.pack, () => undefined); const a = performance.now() - t;
  t = performance.now(); oldIndexPack(res.pack, () => undefined); const b = performance.now() - t;
  console.log(`new ${a.toFixed(0)}ms old ${b.toFixed(0)}ms`);
}
