// The bench's server process: an emulated cluster with its controllers off, so the bench measures
// the API server and the client, not the simulation. Prints its kubeconfig path, then its peak
// memory when told to stop.
import { startTestCluster } from '@gitops-kit/testkit';

const cluster = await startTestCluster({ controllers: false });
process.stdout.write(`${JSON.stringify({ kubeconfigPath: cluster.kubeconfigPath })}\n`);
let peakHeap = process.memoryUsage().heapUsed;
const sampler = setInterval(() => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}, 20);
process.stdin.on('data', async () => {
  clearInterval(sampler);
  const usage = process.resourceUsage();
  process.stdout.write(
    `${JSON.stringify({ maxRssKiB: usage.maxRSS, peakHeapBytes: peakHeap, objects: cluster.engine.resourceVersion })}\n`,
  );
  await cluster.stop();
  process.exit(0);
});
