// scratch: serve medium/large repos until killed
import { startGitServer } from '@gitops-kit/testkit';
import { writeFileSync } from 'node:fs';
function makeContent(seed: number, size: number): string {
  let x = seed * 2654435761 + 1;
  const words = ['name', 'image', 'replicas', 'port', 'label', 'value', 'app', 'tier', 'env', 'memory'];
  let out = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${seed}\ndata:\n`;
  while (out.length < size) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += `  ${words[x % words.length]}-${(x >>> 8) % 9973}: "${((x >>> 4) % 1_000_000).toString(36)}${(x % 7919).toString(16)}"\n`;
  }
  return out;
}
const server = await startGitServer();
const urls: Record<string, string> = {};
for (const [name, n] of [['small', 50], ['medium', 2000], ['large', 20000]] as const) {
  const repo = await server.createRepository(name);
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) files[`apps/app-${i % 50}/res-${i}.yaml`] = makeContent(i, name === 'small' ? 2000 : 5000);
  await repo.commit({ files, message: 'initial' });
  urls[name] = repo.url;
}
writeFileSync('/tmp/gm/urls.json', JSON.stringify(urls));
console.log(JSON.stringify(urls));
setInterval(() => {}, 1 << 30);
