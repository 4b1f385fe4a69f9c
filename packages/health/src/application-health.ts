// App-of-apps: the health of an Application that is itself a resource of another Application.
// Argo CD ships this as the Lua customization argoproj.io/Application/health.lua (opt-in since
// v1.8, added to argocd-cm by users who want a parent to wait for its children): the child's own
// `status.health`, or Progressing "Waiting for application to be reconciled" until it has one.
import { metaOf, objField, optIntField, strField } from './fields.js';
import { type HealthStatus, isHealthStatusCode } from './health-status.js';

/** The API group of gitops-kit's Application. */
export const GITOPS_KIT_APPLICATION_GROUP = 'gitops-kit.dev';

/** The API group of Argo CD's Application. */
export const ARGO_CD_APPLICATION_GROUP = 'argoproj.io';

/** The message of an Application whose health is not known yet (Argo CD's words). */
export const WAITING_FOR_RECONCILE = 'Waiting for application to be reconciled';

/**
 * The health of an Application (gitops-kit's or Argo CD's) as a resource of a parent
 * Application: its reported `status.health` (status and message), or Progressing "Waiting for
 * application to be reconciled" while it has none or, for gitops-kit's Application, while its
 * `status.observedGeneration` is behind `metadata.generation` (the health then describes an
 * older spec). A status that is not a health status code is Unknown.
 */
export function applicationHealth(obj: Record<string, unknown>): HealthStatus {
  const status = objField(obj, 'status', 'status');
  const generation = optIntField(metaOf(obj), 'generation', 'metadata.generation');
  const observed = optIntField(status, 'observedGeneration', 'status.observedGeneration');
  if (generation !== undefined && observed !== undefined && observed < generation) {
    return { status: 'Progressing', message: WAITING_FOR_RECONCILE };
  }
  const health = objField(status, 'health', 'status.health');
  const code = strField(health, 'status', 'status.health.status');
  if (code === '') return { status: 'Progressing', message: WAITING_FOR_RECONCILE };
  if (!isHealthStatusCode(code)) {
    return { status: 'Unknown', message: `the Application reports an invalid health status "${code}"` };
  }
  return { status: code, message: strField(health, 'message', 'status.health.message') };
}

/**
 * True when {@link applicationHealth} assesses objects of this group and kind: gitops-kit's
 * Application always, Argo CD's when `argoApplications` is set (Argo CD leaves it to an opt-in
 * customization).
 */
export function isApplicationKind(group: string, kind: string, argoApplications: boolean): boolean {
  if (kind !== 'Application') return false;
  return group === GITOPS_KIT_APPLICATION_GROUP || (argoApplications && group === ARGO_CD_APPLICATION_GROUP);
}
