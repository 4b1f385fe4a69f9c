// A testkit cluster in its own process for the sync benchmark, so the server's work does not share
// a thread with the client being measured (kubectl, the other side, runs in its own process too).
// Takes an optional per-request latency in ms. Prints one JSON line with the kubeconfig path, and stops when its stdin closes.
import { startTestCluster } from '@gitops-kit/testkit';

const cluster = await startTestCluster({ controllers: false });
// An optional latency per request (argv[2], ms) models a real API server's etcd round trip.
const latencyMs = Number(process.argv[2] ?? 0);
if (latencyMs > 0) cluster.injectFault({ latencyMs });
process.stdout.write(`${JSON.stringify({ kubeconfigPath: cluster.kubeconfigPath })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void cluster.stop().then(() => process.exit(0));
});
