import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseYaml } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from '../src/index.js';

// A real client nobody here wrote: the kubectl binary, with the kubeconfig testkit generates.

function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const hasKubectl = kubectlAvailable();
if (!hasKubectl)
  console.warn('kubectl is not installed: the kubectl conformance tests of testkit are skipped');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let cluster: TestCluster;
let dir: string;

function kubectl(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      'kubectl',
      args,
      { env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath }, timeout: 30_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const deploymentYaml = (name: string, replicas: number, extraLabel = true): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
${extraLabel ? '    tier: web\n' : ''}spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: main
        image: nginx:1.27
        ports:
        - containerPort: 80
`;

describe.skipIf(!hasKubectl)('kubectl against testkit', () => {
  beforeAll(async () => {
    cluster = await startTestCluster({ controllers: { podReadyDelayMs: 30 } });
    dir = mkdtempSync(join(tmpdir(), 'testkit-kubectl-'));
  });

  afterAll(async () => {
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('api-resources lists built-in kinds with short names and scope', async () => {
    const run = await kubectl(['api-resources', '--no-headers']);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('deployments '))).toMatch(/deploy\s+apps\/v1\s+true\s+Deployment/);
    expect(lines.find((l) => l.startsWith('namespaces '))).toMatch(/ns\s+v1\s+false\s+Namespace/);
    expect(lines.find((l) => l.startsWith('customresourcedefinitions '))).toMatch(
      /crd,crds\s+apiextensions\.k8s\.io\/v1\s+false/,
    );
  });

  it('apply -f creates, is idempotent, and removes a field dropped from the file', async () => {
    const first = await kubectl(['apply', '-f', file('d1.yaml', deploymentYaml('app', 2))]);
    expect(first.stdout.trim()).toBe('deployment.apps/app created');
    const again = await kubectl(['apply', '-f', file('d1.yaml', deploymentYaml('app', 2))]);
    expect(again.stdout.trim()).toBe('deployment.apps/app unchanged');
    const dropped = await kubectl(['apply', '-f', file('d2.yaml', deploymentYaml('app', 2, false))]);
    expect(dropped.stdout.trim()).toBe('deployment.apps/app configured');
    const labels = await kubectl(['get', 'deployment', 'app', '-o', 'jsonpath={.metadata.labels}']);
    expect(JSON.parse(labels.stdout)).toEqual({ app: 'app' });
  });

  it('wait --for=condition=Available and rollout status see the simulated rollout', async () => {
    const wait = await kubectl(['wait', '--for=condition=Available', 'deployment/app', '--timeout=20s']);
    expect(wait.stdout.trim()).toBe('deployment.apps/app condition met');
    const rollout = await kubectl(['rollout', 'status', 'deployment/app', '--timeout=20s']);
    expect(rollout.code).toBe(0);
    expect(rollout.stdout).toContain('deployment "app" successfully rolled out');
  });

  it('get -o yaml shows the server-set fields', async () => {
    const run = await kubectl(['get', 'deployment', 'app', '-o', 'yaml']);
    const obj = parseYaml(run.stdout) as {
      metadata: Record<string, unknown>;
      spec: Record<string, unknown>;
      status: Record<string, unknown>;
    };
    expect(obj.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    // 2, not 1: the second `apply` that changed the file rewrote the last-applied-configuration
    // annotation, and a Deployment's annotations bump its generation as its spec does.
    expect(obj.metadata.generation).toBe(2);
    expect(obj.spec.revisionHistoryLimit).toBe(10);
    expect(obj.status).toMatchObject({ availableReplicas: 2, readyReplicas: 2 });
    const table = await kubectl(['get', 'deployment', 'app']);
    expect(table.stdout).toMatch(/app\s+2\/2\s+2\s+2\s+\d+s/);
  });

  it('patch with strategic and merge patches', async () => {
    const smp = await kubectl([
      'patch',
      'deployment',
      'app',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}',
    ]);
    expect(smp.stdout.trim()).toBe('deployment.apps/app patched');
    const names = await kubectl([
      'get',
      'deployment',
      'app',
      '-o',
      'jsonpath={.spec.template.spec.containers[*].name}',
    ]);
    expect(names.stdout).toBe('sidecar main');
    const merge = await kubectl([
      'patch',
      'deployment',
      'app',
      '--type=merge',
      '-p',
      '{"metadata":{"annotations":{"team":"a"}}}',
    ]);
    expect(merge.code).toBe(0);
    const ann = await kubectl(['get', 'deployment', 'app', '-o', 'jsonpath={.metadata.annotations.team}']);
    expect(ann.stdout).toBe('a');
  });

  it('diff shows a pending change (exit 1) and nothing for the live state (exit 0)', async () => {
    const cmFile = file(
      'cm.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: diffed\ndata:\n  a: "1"\n',
    );
    expect((await kubectl(['apply', '-f', cmFile])).code).toBe(0);
    const same = await kubectl(['diff', '-f', cmFile]);
    expect(same.code).toBe(0);
    const changed = await kubectl([
      'diff',
      '-f',
      file('cm2.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: diffed\ndata:\n  a: "2"\n'),
    ]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/-\s+a: "1"/);
    expect(changed.stdout).toMatch(/\+\s+a: "2"/);
  });

  it('apply --server-side with two managers reports the conflict, then forces it', async () => {
    const mk = (value: string): string =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  key: "${value}"\n`;
    const alice = await kubectl([
      'apply',
      '--server-side',
      '--field-manager=alice',
      '-f',
      file('ssa1.yaml', mk('alice')),
    ]);
    expect(alice.stdout.trim()).toBe('configmap/shared serverside-applied');
    const bob = await kubectl([
      'apply',
      '--server-side',
      '--field-manager=bob',
      '-f',
      file('ssa2.yaml', mk('bob')),
    ]);
    expect(bob.code).not.toBe(0);
    expect(bob.stderr).toContain('Apply failed with 1 conflict: conflict with "alice": .data.key');
    const forced = await kubectl([
      'apply',
      '--server-side',
      '--field-manager=bob',
      '--force-conflicts',
      '-f',
      file('ssa2.yaml', mk('bob')),
    ]);
    expect(forced.code).toBe(0);
    const managers = await kubectl([
      'get',
      'configmap',
      'shared',
      '--show-managed-fields',
      '-o',
      'jsonpath={.metadata.managedFields[*].manager}',
    ]);
    expect(managers.stdout).toBe('bob');
  });

  it('get -w sees a change', async () => {
    await kubectl([
      'apply',
      '-f',
      file('watched.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\ndata:\n  v: one\n'),
    ]);
    const child = spawn('kubectl', ['get', 'configmap', 'watched', '-w', '-o', 'jsonpath={.data.v}{"\\n"}'], {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      await eventually(() => out.includes('one'), 'the watch to print one');
      await kubectl(['patch', 'configmap', 'watched', '--type=merge', '-p', '{"data":{"v":"two"}}']);
      await eventually(() => out.includes('two'), 'the watch to print two');
      expect(out.split('\n').filter((l) => l !== '')).toEqual(['one', 'two']);
    } finally {
      child.kill();
    }
  });

  it('delete --cascade=foreground removes dependents before the owner', async () => {
    const run = await kubectl(['delete', 'deployment', 'app', '--cascade=foreground', '--timeout=20s']);
    expect(run.stdout.trim()).toBe('deployment.apps "app" deleted');
    // kubectl waited for the owner to disappear; foreground deletion means the dependents went first.
    const rs = await kubectl(['get', 'replicasets,pods', '-l', 'app=app', '-o', 'name']);
    expect(rs.stdout.trim()).toBe('');
  });

  it('create namespace, configmap and secret generators (sent as protobuf) work', async () => {
    expect((await kubectl(['create', 'namespace', 'gen'])).stdout.trim()).toBe('namespace/gen created');
    const cm = await kubectl([
      'create',
      'configmap',
      'gen-cm',
      '-n',
      'gen',
      '--from-literal=a=1',
      '--from-literal=b=two',
    ]);
    expect(cm.stdout.trim()).toBe('configmap/gen-cm created');
    const secret = await kubectl([
      'create',
      'secret',
      'generic',
      'gen-s',
      '-n',
      'gen',
      '--from-literal=pw=hunter2',
    ]);
    expect(secret.stdout.trim()).toBe('secret/gen-s created');
    const data = await kubectl(['get', 'configmap', 'gen-cm', '-n', 'gen', '-o', 'jsonpath={.data}']);
    expect(JSON.parse(data.stdout)).toEqual({ a: '1', b: 'two' });
    const pw = await kubectl(['get', 'secret', 'gen-s', '-n', 'gen', '-o', 'jsonpath={.data.pw}']);
    expect(Buffer.from(pw.stdout, 'base64').toString()).toBe('hunter2');
    const type = await kubectl(['get', 'secret', 'gen-s', '-n', 'gen', '-o', 'jsonpath={.type}']);
    expect(type.stdout).toBe('Opaque');
  });

  it('create of a CRD, then of a custom resource, with server-side schema validation', async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, minimum: 1}
`;
    expect((await kubectl(['create', '-f', file('crd.yaml', crd)])).stdout.trim()).toBe(
      'customresourcedefinition.apiextensions.k8s.io/widgets.example.com created',
    );
    const cr = await kubectl([
      'create',
      '-f',
      file('cr.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 2\n'),
    ]);
    expect(cr.stdout.trim()).toBe('widget.example.com/w1 created');
    const got = await kubectl(['get', 'wd', 'w1', '-o', 'jsonpath={.spec.size}']);
    expect(got.stdout).toBe('2');
    // Client-side apply of a custom resource uses a JSON merge patch (no strategic merge for CRs).
    const widget = (size: number): string =>
      `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w3\nspec:\n  size: ${size}\n`;
    expect((await kubectl(['apply', '-f', file('w3.yaml', widget(1))])).stdout.trim()).toBe(
      'widget.example.com/w3 created',
    );
    expect((await kubectl(['apply', '-f', file('w3.yaml', widget(4))])).stdout.trim()).toBe(
      'widget.example.com/w3 configured',
    );
    expect((await kubectl(['get', 'widget', 'w3', '-o', 'jsonpath={.spec.size}'])).stdout).toBe('4');
    // The CRD's schema is published in its group version's OpenAPI document.
    const explained = await kubectl(['explain', 'widgets.spec.size']);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toMatch(/FIELD: size <integer>/);
    const bad = await kubectl([
      'create',
      '-f',
      file(
        'bad.yaml',
        'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w2\nspec:\n  size: 0\n  extra: 1\n',
      ),
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('unknown field "spec.extra"');
  });

  it('apply of a manifest with a typo fails with the server strict decoding error; --validate=warn warns', async () => {
    const typo = deploymentYaml('typo', 1).replace(
      '        image: nginx:1.27\n',
      '        image: nginx:1.27\n        imagePolicy: Always\n',
    );
    const path = file('typo.yaml', typo);
    const strict = await kubectl(['apply', '-f', path]);
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain(
      'Error from server (BadRequest): error when creating "' +
        path +
        '": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePolicy"',
    );
    expect((await kubectl(['get', 'deployment', 'typo'])).code).not.toBe(0);
    const warned = await kubectl(['apply', '--validate=warn', '-f', path]);
    expect(warned.code).toBe(0);
    expect(warned.stdout.trim()).toBe('deployment.apps/typo created');
    expect(warned.stderr).toContain('Warning: unknown field "spec.template.spec.containers[0].imagePolicy"');
    const stored = await kubectl([
      'get',
      'deployment',
      'typo',
      '-o',
      'jsonpath={.spec.template.spec.containers[0]}',
    ]);
    expect(stored.stdout).not.toContain('imagePolicy');
    // On an existing object kubectl sends a strategic merge patch: its unknown fields are reported
    // against the patch, and the object is left as it was.
    const patchTypo = await kubectl([
      'apply',
      '-f',
      file('typo2.yaml', typo.replace('      containers:', '      restartPolcy: Always\n      containers:')),
    ]);
    expect(patchTypo.code).not.toBe(0);
    expect(patchTypo.stderr).toMatch(
      /The request is invalid: patch: Invalid value: "map\[[\s\S]*restartPolcy:Always[\s\S]*\]": strict decoding error: [^\n]*unknown field "spec\.template\.spec\.restartPolcy"/,
    );
    const ssa = await kubectl([
      'apply',
      '--server-side',
      '-f',
      file('typo-ssa.yaml', typo.replace('name: typo', 'name: typo-ssa')),
    ]);
    expect(ssa.code).not.toBe(0);
    expect(ssa.stderr).toContain(
      'Error from server: failed to create typed patch object (default/typo-ssa; apps/v1, Kind=Deployment): ' +
        '.spec.template.spec.containers[name="main"].imagePolicy: field not declared in schema',
    );
    const wrongType = await kubectl([
      'apply',
      '--validate=false',
      '-f',
      file('typed.yaml', typo.replace('replicas: 1', 'replicas: "one"')),
    ]);
    expect(wrongType.code).not.toBe(0);
    expect(wrongType.stderr).toContain(
      'cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
  });

  it('explain reads the published OpenAPI v3 schemas', async () => {
    const replicas = await kubectl(['explain', 'deployment.spec.replicas']);
    expect(replicas.code).toBe(0);
    expect(replicas.stdout).toMatch(/GROUP:\s+apps/);
    expect(replicas.stdout).toMatch(/FIELD: replicas <integer>/);
    expect(replicas.stdout).toContain('Number of desired pods');
    const containers = await kubectl(['explain', 'pod.spec.containers']);
    expect(containers.stdout).toMatch(/FIELD: containers <\[\]Container>/);
    const deployment = await kubectl(['explain', 'deployment']);
    expect(deployment.stdout).toMatch(/spec\s+<DeploymentSpec>/);
    const missing = await kubectl(['explain', 'deployment.spec.replicaz']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('field "replicaz" does not exist');
  });
});
