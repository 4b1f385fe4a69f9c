/** Switches and timings of the simulated controllers. */
export interface ControllerOptions {
  /** Deployment → ReplicaSet. */
  deployments: boolean;
  /** ReplicaSet → Pods. */
  replicaSets: boolean;
  /** StatefulSet → Pods. */
  statefulSets: boolean;
  /** DaemonSet → one Pod (one node). */
  daemonSets: boolean;
  /** Jobs complete (or fail) after `jobDurationMs`. */
  jobs: boolean;
  /** Services of type LoadBalancer get an ingress address. */
  loadBalancers: boolean;
  /** PersistentVolumeClaims bind. */
  persistentVolumeClaims: boolean;
  /** Pods become Running and Ready after this delay (or fail to pull their image). */
  podReadyDelayMs: number;
  /** How long a Job runs. */
  jobDurationMs: number;
  /** Delay before a LoadBalancer gets its address and a PVC binds. */
  provisionDelayMs: number;
  /** Record core/v1 Events as the controllers, the scheduler and the kubelet do (`kubectl describe`). */
  events: boolean;
  /** Overrides `spec.progressDeadlineSeconds` of Deployments, so tests see ProgressDeadlineExceeded quickly. */
  progressDeadlineMs: number | undefined;
  /**
   * True when an image can be pulled. Default: every image but those whose name contains
   * `does-not-exist`, `nonexistent` or `invalid`, or whose tag is `bad`.
   */
  isImagePullable: (image: string) => boolean;
}

/** The default switches and timings. */
export const DEFAULT_CONTROLLER_OPTIONS: ControllerOptions = {
  deployments: true,
  replicaSets: true,
  statefulSets: true,
  daemonSets: true,
  jobs: true,
  loadBalancers: true,
  persistentVolumeClaims: true,
  podReadyDelayMs: 100,
  jobDurationMs: 200,
  provisionDelayMs: 50,
  events: true,
  progressDeadlineMs: undefined,
  isImagePullable: (image) => !/does-not-exist|nonexistent|invalid/.test(image) && !/:bad$/.test(image),
};
