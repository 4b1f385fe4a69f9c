// A testkit cluster (with its simulated controllers) in its own process for the operator benchmark,
// so the API server's work is not counted as the operator's CPU. Prints one JSON line with the
// kubeconfig path, and stops when its stdin closes.
import { startTestCluster } from '@gitops-kit/testkit';

const cluster = await startTestCluster({ watchHistory: 200_000 });
process.stdout.write(`${JSON.stringify({ kubeconfigPath: cluster.kubeconfigPath })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void cluster.stop().then(() => process.exit(0));
});
