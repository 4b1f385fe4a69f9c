// Generates a kustomization tree for the render benchmark: a base of `apps` applications (a
// Deployment, a Service, a ConfigMap and a ServiceAccount each, plus one generated ConfigMap) and
// three overlay levels, each with a name prefix, labels, annotations, an image tag and two patches
// that target every Deployment (one strategic merge, one JSON 6902).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes the tree under `root` and returns the directory to render. */
export function generateTree(root: string, apps: number): string {
  const base = join(root, 'base');
  mkdirSync(base, { recursive: true });
  const docs: string[] = [];
  for (let i = 0; i < apps; i++) {
    const n = `app${i}`;
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${n}
  labels:
    app: ${n}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${n}
  template:
    metadata:
      labels:
        app: ${n}
    spec:
      serviceAccountName: ${n}
      containers:
      - name: main
        image: nginx:1.25
        ports:
        - containerPort: 8080
        envFrom:
        - configMapRef:
            name: ${n}-config
        - configMapRef:
            name: shared
        resources:
          limits:
            cpu: 500m
            memory: 256Mi`);
    docs.push(`apiVersion: v1
kind: Service
metadata:
  name: ${n}
spec:
  selector:
    app: ${n}
  ports:
  - name: http
    port: 80
    targetPort: 8080`);
    docs.push(`apiVersion: v1
kind: ConfigMap
metadata:
  name: ${n}-config
data:
  APP_NAME: ${n}
  LOG_LEVEL: info`);
    docs.push(`apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${n}`);
  }
  writeFileSync(join(base, 'resources.yaml'), `${docs.join('\n---\n')}\n`);
  writeFileSync(
    join(base, 'kustomization.yaml'),
    'resources:\n- resources.yaml\nconfigMapGenerator:\n- name: shared\n  literals:\n  - REGION=eu-west-1\n',
  );
  let prev = 'base';
  for (let level = 1; level <= 3; level++) {
    const dir = join(root, `overlay${level}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      `resources:
- ../${prev}
namePrefix: l${level}-
labels:
- pairs:
    level${level}: "yes"
  includeSelectors: false
  includeTemplates: true
commonAnnotations:
  overlay: level${level}
images:
- name: nginx
  newTag: "1.27.${level}"
patches:
- target:
    kind: Deployment
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: any
    spec:
      template:
        spec:
          containers:
          - name: main
            env:
            - name: LEVEL
              value: "${level}"
- target:
    kind: Deployment
  patch: |-
    - op: replace
      path: /spec/replicas
      value: ${level + 1}
`,
    );
    prev = `overlay${level}`;
  }
  return join(root, prev);
}
