import { generateTree } from './generate.js';
import { nodeFileSystem } from '../../packages/core/src/index.js';
import { renderKustomization } from '../../packages/kustomize/src/index.js';
const n = Number(process.argv[2] ?? 2000);
const dir = generateTree(`/tmp/kz/bench${n}`, n / 4);
for (let i = 0; i < 2; i++) {
  const t0 = performance.now();
  const r = await renderKustomization(nodeFileSystem(), dir);
  console.log(n, r.objects.length, (performance.now() - t0).toFixed(0), 'ms');
}
