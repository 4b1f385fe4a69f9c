/**
 * @packageDocumentation
 * @gitops-kit/health: the health assessor. Argo CD's statuses and built-in rules, kstatus'
 * vocabulary for Flux-style waiting, TypeScript custom checks, and Argo CD's Lua health scripts
 * run unchanged in a sandboxed Lua VM.
 */
export {
  type AggregateHealthResult,
  aggregateHealth,
  IGNORE_HEALTHCHECK_ANNOTATION,
  type ResourceHealthInput,
  type ResourceHealthResult,
} from './aggregate.js';
export {
  ARGO_CD_APPLICATION_GROUP,
  applicationHealth,
  GITOPS_KIT_APPLICATION_GROUP,
  isApplicationKind,
  WAITING_FOR_RECONCILE,
} from './application-health.js';
export { type AssessHealthOptions, assessHealth, HOOK_FINALIZER, hasHealthCheck } from './assess.js';
export { hasBuiltinHealthCheck } from './builtin/dispatch.js';
export { HPA_CONDITIONS_ANNOTATION } from './builtin/hpa.js';
export { IGNORE_RESTART_POLICY_ANNOTATION } from './builtin/pod.js';
export { type HealthCheckFunction, HealthCheckRegistry } from './custom-checks.js';
export { genericHealth } from './generic-health.js';
export { globMatch, resourceCustomizationKey } from './group-kind-table.js';
export {
  compareHealth,
  HEALTH_STATUS_ORDER,
  type HealthStatus,
  type HealthStatusCode,
  healthRank,
  isHealthStatusCode,
  isWorseHealth,
  worstHealth,
} from './health-status.js';
export {
  type ComputeStatusOptions,
  computeStatus,
  type KStatus,
  type KStatusCondition,
  type KStatusResult,
  POD_SCHEDULE_WINDOW_MS,
} from './kstatus.js';
export {
  DEFAULT_LUA_MAX_INSTRUCTIONS,
  DEFAULT_LUA_MAX_MEMORY_BYTES,
  LuaHealthEngine,
  type LuaHealthEngineOptions,
  type LuaRunOptions,
} from './lua-engine.js';
export {
  HEALTH_KEY_PREFIX,
  HEALTH_SCRIPT_FILE,
  LEGACY_CUSTOMIZATIONS_KEY,
  loadLuaHealthChecksFromDir,
  luaHealthChecksFromConfigMap,
  OPEN_LIBS_KEY_PREFIX,
} from './lua-loaders.js';
export { type LuaFailureKind, type LuaHealthScript, LuaScriptError } from './lua-script.js';

/** The version of this package. */
export const VERSION = '0.1.0';
