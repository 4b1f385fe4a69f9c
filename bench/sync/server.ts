// A testkit cluster in its own process for the sync benchmark, so the server's work does not share
// a thread with the client being measured (kubectl, the other side, runs in its own process too).
// Prints one JSON line with the kubeconfig path, and stops when its stdin closes.
import { startTestCluster } from '../../packages/testkit/src/index.js';

const cluster = await startTestCluster({ controllers: false });
process.stdout.write(`${JSON.stringify({ kubeconfigPath: cluster.kubeconfigPath })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void cluster.stop().then(() => process.exit(0));
});
