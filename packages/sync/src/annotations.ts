/** Our tracking annotation: `<app>:<group>/<Kind>:<namespace>/<name>`. */
export const TRACKING_ANNOTATION = 'gitops-kit.dev/tracking-id';
/** Argo CD's tracking annotation, same format as ours. */
export const ARGOCD_TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';
/** The label naming the app an object belongs to (Argo CD's legacy label tracking). */
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';
/** Our sync-wave annotation; wins over Argo CD's when both are set. */
export const SYNC_WAVE_ANNOTATION = 'gitops-kit.dev/sync-wave';
/** Argo CD's sync-wave annotation. */
export const ARGOCD_SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
/** Argo CD's hook annotation: a comma-separated list of phases, or `Skip`. */
export const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
/** Argo CD's hook delete policy annotation. */
export const HOOK_DELETE_POLICY_ANNOTATION = 'argocd.argoproj.io/hook-delete-policy';
/** Helm's hook annotation (`pre-install,pre-upgrade`, …). */
export const HELM_HOOK_ANNOTATION = 'helm.sh/hook';
/** Helm's hook weight, used as the wave when no sync-wave annotation is set. */
export const HELM_HOOK_WEIGHT_ANNOTATION = 'helm.sh/hook-weight';
/** Helm's hook delete policy annotation. */
export const HELM_HOOK_DELETE_POLICY_ANNOTATION = 'helm.sh/hook-delete-policy';
/** Argo CD's per-object sync options: `Prune=false,Replace=true`. */
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
/** Our per-object sync options, same syntax as Argo CD's; both are read and merged. */
export const GITOPS_KIT_SYNC_OPTIONS_ANNOTATION = 'gitops-kit.dev/sync-options';
/** kpt / kustomize lifecycle annotation; `detach` leaves the object in the cluster when pruning. */
export const DELETION_LIFECYCLE_ANNOTATION = 'client.lifecycle.config.k8s.io/deletion';
/** kubectl's last-applied annotation, written by client-side apply. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** The field manager used for server-side apply when none is given. */
export const DEFAULT_FIELD_MANAGER = 'gitops-kit';
