/**
 * Times `stringifyKubeYamlDocuments` on a stream of 2,000 typical objects (Deployments, Services,
 * ConfigMaps, ServiceAccounts), alternating with `JSON.stringify` of the same objects as the anchor
 * measured in the same run. Usage: `pnpm tsx --conditions=source packages/core/scripts/bench-stringify.ts [count]`.
 */
import { type JsonValue, stringifyKubeYamlDocuments } from '@gitops-kit/core';

/** A stream of `count` objects shaped like a rendered app (four kinds per app). */
export function benchObjects(count: number): JsonValue[] {
  const out: JsonValue[] = [];
  for (let i = 0; out.length < count; i++) {
    const app = `app-${i}`;
    const labels = {
      'app.kubernetes.io/name': app,
      'app.kubernetes.io/part-of': 'shop',
      tier: 'backend',
      env: 'prod',
    };
    out.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: `prod-${app}`,
        namespace: 'shop',
        labels,
        annotations: {
          'example.com/owner': 'team-a',
          'example.com/description': `The ${app} service, which answers requests for the shop front end and talks to the database over a pooled connection`,
        },
      },
      spec: {
        replicas: 3,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'main',
                image: `registry.example.com/shop/${app}:1.2.${i % 10}`,
                args: ['--port=8080', '--verbose', 'on'],
                ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
                env: [
                  { name: 'LOG_LEVEL', value: 'info' },
                  { name: 'FEATURE_X', value: 'true' },
                  { name: 'TIMEOUT', value: '30' },
                ],
                resources: {
                  limits: { cpu: '500m', memory: '256Mi' },
                  requests: { cpu: '100m', memory: '128Mi' },
                },
                readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
              },
            ],
          },
        },
      },
    });
    if (out.length < count)
      out.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `prod-${app}`, namespace: 'shop', labels },
        spec: { selector: labels, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
      });
    if (out.length < count)
      out.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `prod-${app}-config-5hk2dm8g4t`, namespace: 'shop', labels },
        data: { 'config.yaml': `server:\n  port: 8080\n  name: ${app}\n`, mode: 'fast', retries: '3' },
      });
    if (out.length < count)
      out.push({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: `prod-${app}`, namespace: 'shop', labels },
      });
  }
  return out;
}

function time(fn: () => unknown, rounds: number): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

const count = Number(process.argv[2] ?? 2000);
const objects = benchObjects(count);
for (let i = 0; i < 5; i++) stringifyKubeYamlDocuments(objects);
const rounds = 15;
const core = time(() => stringifyKubeYamlDocuments(objects), rounds);
const anchor = time(() => objects.map((o) => JSON.stringify(o)).join('\n'), rounds);
console.log(
  `stringifyKubeYamlDocuments, ${count} objects: ${core.toFixed(1)} ms (median of ${rounds}); JSON.stringify anchor ${anchor.toFixed(1)} ms; ratio ${(core / anchor).toFixed(2)}`,
);
