import type { KubeObject } from '@gitops-kit/core';
import { GroupKindTable, resourceCustomizationKey } from './group-kind-table.js';
import type { HealthStatus } from './health-status.js';

/**
 * A health check written in TypeScript. Returns the health of `obj`, or undefined to let the
 * next check (Lua scripts, then the built-in rules) decide. A thrown error makes the object
 * Unknown with the error's message.
 */
export type HealthCheckFunction = (obj: KubeObject) => HealthStatus | undefined;

/**
 * TypeScript health checks registered by the embedding program, looked up by group and kind.
 * Keys follow Argo CD's resource-customization keys: `group/Kind`, `Kind` for the core group,
 * and globs such as `*.crossplane.io/*`. The exact key wins over globs.
 */
export class HealthCheckRegistry {
  private readonly table = new GroupKindTable<HealthCheckFunction>();

  /** Registers `check` for a `group/Kind` key (glob allowed), or for a `{ group, kind }` pair. */
  register(key: string | { group: string; kind: string }, check: HealthCheckFunction): this {
    this.table.set(typeof key === 'string' ? key : resourceCustomizationKey(key.group, key.kind), check);
    return this;
  }

  /** The check for a group and kind, or undefined. */
  find(group: string, kind: string): HealthCheckFunction | undefined {
    return this.table.find(group, kind);
  }

  /** Number of registered checks. */
  get size(): number {
    return this.table.size;
  }
}
