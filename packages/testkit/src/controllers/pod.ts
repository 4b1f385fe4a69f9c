import { createHash } from 'node:crypto';
import { condition, containersOf, meta, NODE, now, obj, shortHash, stripEmpty } from './objects.js';
import type { ControllerRuntime } from './runtime.js';

/**
 * The scheduler and the kubelet for one new pod: it is assigned to the node, its images are pulled
 * (or not: `isImagePullable`), and it becomes Running and Ready, or stays Pending in ImagePullBackOff,
 * with the Events `kubectl describe` shows.
 */
export function startPod(rt: ControllerRuntime, ns: string, name: string): void {
  const type = rt.type('', 'v1', 'Pod');
  const pod = rt.engine.get(type, ns, name);
  if (!pod || meta(pod).deletionTimestamp) return;
  const spec = obj(pod.spec);
  const containers = containersOf(spec);
  const pullable = containers.every((c) => rt.options.isImagePullable(String(c.image ?? '')));
  const t = now();
  const prev = obj(pod.status).conditions;
  rt.recordEvent(
    pod,
    'Normal',
    'Scheduled',
    `Successfully assigned ${ns}/${name} to ${NODE}`,
    'default-scheduler',
  );
  for (const c of containers) {
    const image = String(c.image ?? '');
    if (rt.options.isImagePullable(image)) {
      rt.recordEvent(
        pod,
        'Normal',
        'Pulled',
        `Container image "${image}" already present on machine`,
        'kubelet',
      );
      rt.recordEvent(pod, 'Normal', 'Created', `Created container: ${String(c.name)}`, 'kubelet');
      rt.recordEvent(pod, 'Normal', 'Started', `Started container ${String(c.name)}`, 'kubelet');
    } else {
      rt.recordEvent(pod, 'Warning', 'Failed', `Failed to pull image "${image}": not found`, 'kubelet');
      rt.recordEvent(pod, 'Warning', 'Failed', 'Error: ErrImagePull', 'kubelet');
      rt.recordEvent(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, 'kubelet');
    }
  }
  if (pullable) {
    rt.writeStatus(type, pod, {
      phase: 'Running',
      conditions: [
        condition('PodReadyToStartContainers', 'True', '', '', prev),
        condition('Initialized', 'True', '', '', prev),
        condition('Ready', 'True', '', '', prev),
        condition('ContainersReady', 'True', '', '', prev),
        condition('PodScheduled', 'True', '', '', prev),
      ].map(stripEmpty),
      hostIP: '172.18.0.2',
      podIP: `10.244.0.${(Number.parseInt(shortHash(name).slice(0, 2), 36) % 250) + 2}`,
      startTime: t,
      qosClass: 'BestEffort',
      containerStatuses: containers.map((c) => ({
        name: c.name as string,
        image: c.image as string,
        imageID: `${String(c.image)}@sha256:${createHash('sha256').update(String(c.image)).digest('hex')}`,
        containerID: `containerd://${createHash('sha256')
          .update(`${name}/${String(c.name)}`)
          .digest('hex')}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: t } },
      })),
    });
  } else {
    rt.writeStatus(type, pod, {
      phase: 'Pending',
      conditions: [
        condition('PodScheduled', 'True', '', '', prev),
        condition(
          'Ready',
          'False',
          'ContainersNotReady',
          `containers with unready status: [${containers.map((c) => String(c.name)).join(' ')}]`,
          prev,
        ),
        condition(
          'ContainersReady',
          'False',
          'ContainersNotReady',
          `containers with unready status: [${containers.map((c) => String(c.name)).join(' ')}]`,
          prev,
        ),
      ].map(stripEmpty),
      hostIP: '172.18.0.2',
      startTime: t,
      containerStatuses: containers.map((c) => ({
        name: c.name as string,
        image: c.image as string,
        imageID: '',
        ready: false,
        started: false,
        restartCount: 0,
        state: {
          waiting: {
            reason: 'ImagePullBackOff',
            message: `Back-off pulling image "${String(c.image)}": ErrImagePull: failed to pull and unpack image "${String(c.image)}": not found`,
          },
        },
      })),
    });
  }
}
