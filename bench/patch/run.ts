/**
 * Strategic merge patch throughput on a realistic Deployment, beside a JSON merge patch of the same
 * change as the baseline measured in the same run:
 *
 *   pnpm tsx --conditions=source bench/patch/run.ts
 */
import type { JsonObject } from '@gitops-kit/core';
import {
  applyMergePatch,
  applyStrategicMergePatch,
  createMergePatch,
  createTwoWayMergePatch,
} from '@gitops-kit/patch';

function container(name: string, i: number): JsonObject {
  return {
    name,
    image: `registry.example.com/${name}:1.${i}.0`,
    args: ['--port=8080', '--log-level=info'],
    ports: [
      { containerPort: 8080, name: 'http', protocol: 'TCP' },
      { containerPort: 9090, name: 'metrics', protocol: 'TCP' },
    ],
    env: Array.from({ length: 12 }, (_, k) => ({ name: `VAR_${k}`, value: `value-${k}` })),
    volumeMounts: [
      { name: 'data', mountPath: '/data' },
      { name: 'config', mountPath: '/etc/config', readOnly: true },
    ],
    resources: { limits: { cpu: '1', memory: '512Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
  };
}

const original: JsonObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'prod',
    labels: { app: 'web', tier: 'frontend', team: 'a' },
    annotations: { 'deployment.kubernetes.io/revision': '7' },
    finalizers: ['example.com/cleanup'],
  },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [container('web', 1), container('sidecar', 2), container('proxy', 3)],
        initContainers: [{ name: 'init', image: 'busybox:1', command: ['sh', '-c', 'true'] }],
        volumes: [
          { name: 'data', emptyDir: {} },
          { name: 'config', configMap: { name: 'web-config' } },
        ],
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
        nodeSelector: { disktype: 'ssd' },
      },
    },
  },
};

// The change: a new image and one env var on the web container, a label, one more replica.
const modified = JSON.parse(JSON.stringify(original)) as JsonObject;
const spec = modified.spec as JsonObject;
spec.replicas = 4;
(modified.metadata as { labels: JsonObject }).labels.release = 'canary';
const web = ((spec.template as JsonObject).spec as { containers: JsonObject[] }).containers[0] as JsonObject;
web.image = 'registry.example.com/web:1.2.0';
(web.env as JsonObject[])[3] = { name: 'VAR_3', value: 'changed' };

const smpPatch = createTwoWayMergePatch(original, modified);
const mergePatch = createMergePatch(original, modified);

function measure(name: string, fn: () => unknown): number {
  const deadline = performance.now() + 1500;
  for (let i = 0; i < 300; i++) fn(); // warm up
  let ops = 0;
  const start = performance.now();
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i++) fn();
    ops += 100;
  }
  const perSecond = ops / ((performance.now() - start) / 1000);
  console.log(`${name.padEnd(44)} ${Math.round(perSecond).toLocaleString('en-US').padStart(10)} ops/s`);
  return perSecond;
}

const smp = measure('strategic merge patch (apply)', () => applyStrategicMergePatch(original, smpPatch));
const merge = measure('JSON merge patch, same change (baseline)', () =>
  applyMergePatch(original, mergePatch),
);
const create = measure('two-way strategic merge patch (create)', () =>
  createTwoWayMergePatch(original, modified),
);
console.log(
  `SMP apply / JSON merge patch apply: ${(smp / merge).toFixed(2)}x (${(merge / smp).toFixed(1)}x slower)`,
);
console.log(`SMP create / JSON merge patch apply: ${(create / merge).toFixed(2)}x`);
