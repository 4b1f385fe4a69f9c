/**
 * @packageDocumentation
 * @gitops-kit/cluster/contract: the suite every `ClusterClient` must pass against a cluster, for
 * users who implement the interface (a fake, a cache, another transport). It runs through the client
 * only, so it checks the client and the server together, as a real cluster serves them.
 */
import type { ContractTestApi } from '@gitops-kit/core/contract';
import { deleteContract } from './contract/delete.js';
import { discoveryContract } from './contract/discovery.js';
import { readsContract } from './contract/reads.js';
import { serverSideApplyContract } from './contract/server-side-apply.js';
import {
  type ClusterClientContractOptions,
  type ClusterContractHarness,
  type ContractContext,
  NS,
} from './contract/support.js';
import { updatesContract } from './contract/updates.js';
import { watchContract } from './contract/watch.js';

export type { ClusterClientContractOptions, ClusterContractHarness } from './contract/support.js';

/**
 * Registers the ClusterClient contract: discovery, get, create, list (selectors, pages), update,
 * status, patch, server-side apply, delete (finalizers, propagation) and watch, each checked as
 * kube-apiserver answers. Call it from a test file with your framework's functions:
 * `clusterClientContract({ describe, it, expect, beforeAll, afterAll }, { name, connect })`.
 */
export function clusterClientContract(t: ContractTestApi, options: ClusterClientContractOptions): void {
  t.describe(`ClusterClient contract: ${options.name}`, () => {
    let harness: ClusterContractHarness | undefined;
    const ctx: ContractContext = {
      t,
      h: () => {
        if (!harness) throw new Error('the cluster of the contract is not connected');
        return harness;
      },
    };
    t.beforeAll(async () => {
      harness = await options.connect();
      await harness.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    });
    t.afterAll(async () => {
      await harness?.close?.();
    });
    discoveryContract(ctx);
    readsContract(ctx);
    updatesContract(ctx);
    serverSideApplyContract(ctx);
    deleteContract(ctx);
    watchContract(ctx);
  });
}
