import { startTestCluster } from '@gitops-kit/testkit';
import { writeFileSync } from 'node:fs';
const c = await startTestCluster();
writeFileSync('/tmp/tk/kubeconfig', c.kubeconfig);
console.log(c.url);
await new Promise(r => setTimeout(r, 120000));
await c.stop();
