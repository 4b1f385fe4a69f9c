// RBAC as kube-apiserver evaluates it (the authorizer over stored Roles and bindings), and the
// TokenReview and SubjectAccessReview APIs over HTTP through @kubernetes/client-node.
import type { KubeObject } from '@gitops-kit/core';
import { AuthenticationV1Api, AuthorizationV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticatedGroups,
  RbacAuthorizer,
  type RequestAttributes,
  ruleAllows,
  serviceAccountUsername,
  startTestCluster,
  type TestCluster,
  type UserInfo,
} from '../src/index.js';

const RBAC = 'rbac.authorization.k8s.io/v1';

const resource = (
  verb: string,
  group: string,
  plural: string,
  namespace = '',
  name = '',
  subresource = '',
): RequestAttributes => ({ kind: 'resource', verb, group, resource: plural, subresource, namespace, name });

const user = (username: string, groups: string[] = []): UserInfo => ({
  username,
  groups: authenticatedGroups(username, groups),
});

function role(
  kind: 'Role' | 'ClusterRole',
  name: string,
  rules: object[],
  namespace?: string,
  extra = {},
): KubeObject {
  return {
    apiVersion: RBAC,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    rules,
    ...extra,
  } as KubeObject;
}

function binding(
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  name: string,
  roleRef: { kind: string; name: string },
  subjects: object[],
  namespace?: string,
): KubeObject {
  return {
    apiVersion: RBAC,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects,
  };
}

describe('policy rules', () => {
  const rule = (r: object) => ({
    verbs: [],
    apiGroups: [],
    resources: [],
    resourceNames: [],
    nonResourceURLs: [],
    ...r,
  });

  it('match verbs, groups, resources, subresources, names and wildcards as kube does', () => {
    const apps = rule({ verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'] });
    expect(ruleAllows(apps, resource('get', 'apps', 'deployments', 'ns', 'web'))).toBe(true);
    expect(ruleAllows(apps, resource('delete', 'apps', 'deployments', 'ns', 'web'))).toBe(false);
    expect(ruleAllows(apps, resource('get', '', 'deployments', 'ns', 'web'))).toBe(false);
    // A subresource is its own resource: `deployments` does not grant `deployments/scale`.
    expect(ruleAllows(apps, resource('get', 'apps', 'deployments', 'ns', 'web', 'scale'))).toBe(false);
    const scale = rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*/scale'] });
    expect(ruleAllows(scale, resource('patch', 'apps', 'deployments', 'ns', 'web', 'scale'))).toBe(true);
    expect(ruleAllows(scale, resource('patch', 'apps', 'deployments', 'ns', 'web'))).toBe(false);
    const status = rule({ verbs: ['update'], apiGroups: ['x.dev'], resources: ['things/status'] });
    expect(ruleAllows(status, resource('update', 'x.dev', 'things', 'ns', 'a', 'status'))).toBe(true);
    const named = rule({
      verbs: ['get'],
      apiGroups: [''],
      resources: ['configmaps'],
      resourceNames: ['one'],
    });
    expect(ruleAllows(named, resource('get', '', 'configmaps', 'ns', 'one'))).toBe(true);
    expect(ruleAllows(named, resource('get', '', 'configmaps', 'ns', 'two'))).toBe(false);
    // resourceNames cannot grant a list (no name).
    expect(ruleAllows(named, resource('get', '', 'configmaps', 'ns', ''))).toBe(false);
    const all = rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
    expect(ruleAllows(all, resource('deletecollection', 'x', 'y', 'ns'))).toBe(true);
    // Resource rules never grant a non-resource URL, and the other way round.
    expect(ruleAllows(all, { kind: 'nonResource', verb: 'get', path: '/metrics' })).toBe(false);
  });

  it('match non-resource URLs exactly or by a trailing star', () => {
    const metrics = rule({ verbs: ['get'], nonResourceURLs: ['/metrics', '/logs/*'] });
    expect(ruleAllows(metrics, { kind: 'nonResource', verb: 'get', path: '/metrics' })).toBe(true);
    expect(ruleAllows(metrics, { kind: 'nonResource', verb: 'get', path: '/metrics/x' })).toBe(false);
    expect(ruleAllows(metrics, { kind: 'nonResource', verb: 'get', path: '/logs/a/b' })).toBe(true);
    expect(ruleAllows(metrics, { kind: 'nonResource', verb: 'post', path: '/metrics' })).toBe(false);
    expect(ruleAllows(metrics, resource('get', '', 'metrics'))).toBe(false);
  });
});

describe('the RBAC authorizer', () => {
  let cluster: TestCluster;
  let rbac: RbacAuthorizer;

  beforeAll(async () => {
    cluster = await startTestCluster({ controllers: false });
    rbac = new RbacAuthorizer(cluster.engine);
    const c = cluster.client;
    for (const ns of ['team-a', 'team-b']) {
      await c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
    await c.create(
      role('ClusterRole', 'app-reader', [
        { apiGroups: ['gitops-kit.dev'], resources: ['applications'], verbs: ['get', 'list', 'watch'] },
      ]),
    );
    await c.create(
      role(
        'Role',
        'app-writer',
        [{ apiGroups: ['gitops-kit.dev'], resources: ['applications'], verbs: ['update', 'patch'] }],
        'team-a',
      ),
    );
    await c.create(
      role('ClusterRole', 'metrics-reader', [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]),
    );
    // alice: reads Applications in team-a only (a RoleBinding to a ClusterRole), writes them there.
    await c.create(
      binding(
        'RoleBinding',
        'alice-read',
        { kind: 'ClusterRole', name: 'app-reader' },
        [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
        'team-a',
      ),
    );
    await c.create(
      binding(
        'RoleBinding',
        'alice-write',
        { kind: 'Role', name: 'app-writer' },
        [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
        'team-a',
      ),
    );
    // Group `auditors`: reads everywhere.
    await c.create(
      binding('ClusterRoleBinding', 'auditors', { kind: 'ClusterRole', name: 'app-reader' }, [
        { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'auditors' },
      ]),
    );
    // The ServiceAccount team-b/scraper: /metrics; another binding names a role that is gone.
    await c.create(
      binding('ClusterRoleBinding', 'scrape', { kind: 'ClusterRole', name: 'metrics-reader' }, [
        { kind: 'ServiceAccount', name: 'scraper', namespace: 'team-b' },
      ]),
    );
    await c.create(
      binding('ClusterRoleBinding', 'dangling', { kind: 'ClusterRole', name: 'gone' }, [
        { kind: 'ServiceAccount', name: 'scraper', namespace: 'team-b' },
      ]),
    );
    // A namespace-less ServiceAccount subject of a RoleBinding is in the binding's namespace.
    await c.create(
      binding(
        'RoleBinding',
        'local-sa',
        { kind: 'ClusterRole', name: 'app-reader' },
        [{ kind: 'ServiceAccount', name: 'bot' }],
        'team-b',
      ),
    );
    // All authenticated users may list Applications in team-b (a group the API server adds).
    await c.create(
      role(
        'Role',
        'lister',
        [{ apiGroups: ['gitops-kit.dev'], resources: ['applications'], verbs: ['list'] }],
        'team-b',
      ),
    );
    await c.create(
      binding(
        'RoleBinding',
        'everyone-lists',
        { kind: 'Role', name: 'lister' },
        [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:authenticated' }],
        'team-b',
      ),
    );
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('grants through a RoleBinding only in its namespace, and says which binding', () => {
    const alice = user('alice');
    const get = rbac.authorize(alice, resource('get', 'gitops-kit.dev', 'applications', 'team-a', 'web'));
    expect(get).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "alice-read/team-a" of ClusterRole "app-reader" to User "alice"',
    });
    expect(
      rbac.authorize(alice, resource('patch', 'gitops-kit.dev', 'applications', 'team-a', 'web')),
    ).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "alice-write/team-a" of Role "app-writer" to User "alice"',
    });
    expect(
      rbac.authorize(alice, resource('get', 'gitops-kit.dev', 'applications', 'team-c', 'web')).allowed,
    ).toBe(false);
    // Not across namespaces (namespace ''), not a verb the roles lack.
    expect(rbac.authorize(alice, resource('list', 'gitops-kit.dev', 'applications')).allowed).toBe(false);
    expect(
      rbac.authorize(alice, resource('delete', 'gitops-kit.dev', 'applications', 'team-a', 'web')),
    ).toEqual({
      allowed: false,
      reason: '',
    });
  });

  it('grants through a ClusterRoleBinding everywhere, to group members', () => {
    const carol = user('carol', ['auditors']);
    expect(rbac.authorize(carol, resource('list', 'gitops-kit.dev', 'applications')).reason).toBe(
      'RBAC: allowed by ClusterRoleBinding "auditors" of ClusterRole "app-reader" to Group "auditors"',
    );
    expect(
      rbac.authorize(carol, resource('get', 'gitops-kit.dev', 'applications', 'team-b', 'x')).allowed,
    ).toBe(true);
    expect(
      rbac.authorize(carol, resource('update', 'gitops-kit.dev', 'applications', 'team-b', 'x')).allowed,
    ).toBe(false);
    expect(rbac.authorize(user('dave'), resource('list', 'gitops-kit.dev', 'applications')).allowed).toBe(
      false,
    );
  });

  it('matches ServiceAccounts by their user name, and non-resource URLs through ClusterRoleBindings', () => {
    const scraper = user(serviceAccountUsername('team-b', 'scraper'));
    expect(scraper.groups).toEqual([
      'system:serviceaccounts',
      'system:serviceaccounts:team-b',
      'system:authenticated',
    ]);
    expect(rbac.authorize(scraper, { kind: 'nonResource', verb: 'get', path: '/metrics' })).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "scrape" of ClusterRole "metrics-reader" to ServiceAccount "scraper/team-b"',
    });
    expect(rbac.authorize(scraper, { kind: 'nonResource', verb: 'get', path: '/healthz' })).toEqual({
      allowed: false,
      reason: '',
      evaluationError: '[clusterrole.rbac.authorization.k8s.io "gone" not found]',
    });
    // Same name in another namespace: another ServiceAccount.
    expect(
      rbac.authorize(user(serviceAccountUsername('team-a', 'scraper')), {
        kind: 'nonResource',
        verb: 'get',
        path: '/metrics',
      }).allowed,
    ).toBe(false);
    const bot = user(serviceAccountUsername('team-b', 'bot'));
    expect(
      rbac.authorize(bot, resource('get', 'gitops-kit.dev', 'applications', 'team-b', 'x')).allowed,
    ).toBe(true);
    expect(
      rbac.authorize(
        user(serviceAccountUsername('team-a', 'bot')),
        resource('get', 'gitops-kit.dev', 'applications', 'team-b', 'x'),
      ).allowed,
    ).toBe(false);
  });

  it('grants to system:authenticated, and everything to system:masters', () => {
    expect(
      rbac.authorize(user('erin'), resource('list', 'gitops-kit.dev', 'applications', 'team-b')).allowed,
    ).toBe(true);
    expect(
      rbac.authorize(
        { username: 'erin', groups: [] },
        resource('list', 'gitops-kit.dev', 'applications', 'team-b'),
      ).allowed,
    ).toBe(false);
    expect(
      rbac.authorize(user('root', ['system:masters']), resource('delete', '', 'nodes', '', 'n1')).allowed,
    ).toBe(true);
  });

  it('aggregates ClusterRoles by label, and sees a binding the moment it is stored', async () => {
    const c = cluster.client;
    await c.create(
      role('ClusterRole', 'aggregate-view', [], undefined, {
        aggregationRule: {
          clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate-to-view': 'true' } }],
        },
      }),
    );
    await c.create(
      binding('ClusterRoleBinding', 'frank-view', { kind: 'ClusterRole', name: 'aggregate-view' }, [
        { kind: 'User', name: 'frank' },
      ]),
    );
    const frank = user('frank');
    const read = resource('get', '', 'configmaps', 'team-a', 'cm');
    expect(rbac.authorize(frank, read).allowed).toBe(false);
    await c.create({
      ...role('ClusterRole', 'configmap-view', [
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
      ]),
      metadata: { name: 'configmap-view', labels: { 'example.com/aggregate-to-view': 'true' } },
    });
    expect(rbac.authorize(frank, read).reason).toBe(
      'RBAC: allowed by ClusterRoleBinding "frank-view" of ClusterRole "aggregate-view" to User "frank"',
    );
  });
});

describe('TokenReview and SubjectAccessReview over HTTP', () => {
  let cluster: TestCluster;
  let kc: KubeConfig;

  beforeAll(async () => {
    cluster = await startTestCluster({
      controllers: false,
      tokens: {
        'alice-token': { user: 'alice', uid: 'u-1', groups: ['devs'] },
        'sa-token': { user: serviceAccountUsername('ops', 'deployer') },
        'reader-token': { user: 'reader', readOnly: true },
        'rbac-token': { user: 'rbac-user', rbac: true },
      },
    });
    await cluster.client.create(
      role('ClusterRole', 'cm-reader', [
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
      ]),
    );
    await cluster.client.create(
      binding(
        'RoleBinding',
        'devs-read',
        { kind: 'ClusterRole', name: 'cm-reader' },
        [
          { kind: 'Group', name: 'devs' },
          { kind: 'User', name: 'rbac-user' },
        ],
        'default',
      ),
    );
    kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('authenticates a token as its user and groups', async () => {
    const api = kc.makeApiClient(AuthenticationV1Api);
    const review = await api.createTokenReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'alice-token' } },
    });
    expect(review.status).toEqual({
      authenticated: true,
      user: { username: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'] },
      audiences: ['https://kubernetes.default.svc.cluster.local'],
    });
    const sa = await api.createTokenReview({
      body: { spec: { token: 'sa-token', audiences: ['gitops-kit'] } },
    });
    expect(sa.status?.user?.username).toBe('system:serviceaccount:ops:deployer');
    expect(sa.status?.user?.groups).toEqual([
      'system:serviceaccounts',
      'system:serviceaccounts:ops',
      'system:authenticated',
    ]);
    expect(sa.status?.audiences).toEqual(['gitops-kit']);
    const unknown = await api.createTokenReview({ body: { spec: { token: 'nobody' } } });
    expect(unknown.status?.authenticated).toBeFalsy();
    expect(unknown.status?.error).toBe('invalid bearer token');
  });

  it('refuses a review without a token, and a caller without create permission', async () => {
    const res = await fetch(`${cluster.url}/apis/authentication.k8s.io/v1/tokenreviews`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken(cluster)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ spec: {} }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe(
      'token is required for TokenReview in authentication',
    );
    const readOnly = await fetch(`${cluster.url}/apis/authentication.k8s.io/v1/tokenreviews`, {
      method: 'POST',
      headers: { authorization: 'Bearer reader-token', 'content-type': 'application/json' },
      body: JSON.stringify({ spec: { token: 'alice-token' } }),
    });
    expect(readOnly.status).toBe(403);
    const get = await fetch(`${cluster.url}/apis/authentication.k8s.io/v1/tokenreviews`, {
      headers: { authorization: `Bearer ${adminToken(cluster)}` },
    });
    expect(get.status).toBe(405);
  });

  it('answers SubjectAccessReviews from RBAC', async () => {
    const api = kc.makeApiClient(AuthorizationV1Api);
    const allowed = await api.createSubjectAccessReview({
      body: {
        spec: {
          user: 'alice',
          groups: ['devs', 'system:authenticated'],
          resourceAttributes: { namespace: 'default', verb: 'get', resource: 'configmaps', name: 'x' },
        },
      },
    });
    expect(allowed.status).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "devs-read/default" of ClusterRole "cm-reader" to Group "devs"',
    });
    const denied = await api.createSubjectAccessReview({
      body: {
        spec: {
          user: 'alice',
          groups: ['devs'],
          resourceAttributes: { namespace: 'kube-system', verb: 'get', resource: 'configmaps' },
        },
      },
    });
    expect(denied.status).toEqual({ allowed: false });
    const metrics = await api.createSubjectAccessReview({
      body: {
        spec: {
          user: 'root',
          groups: ['system:masters'],
          nonResourceAttributes: { path: '/metrics', verb: 'get' },
        },
      },
    });
    expect(metrics.status?.allowed).toBe(true);
    const self = await api.createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { verb: 'delete', resource: 'nodes' } } },
    });
    expect(self.status?.allowed).toBe(true);
    const local = await api.createNamespacedLocalSubjectAccessReview({
      namespace: 'default',
      body: {
        metadata: { namespace: 'default' },
        spec: {
          user: 'alice',
          groups: ['devs'],
          resourceAttributes: { namespace: 'default', verb: 'list', resource: 'configmaps' },
        },
      },
    });
    expect(local.status?.allowed).toBe(true);
  });

  it('validates a SubjectAccessReview as kube-apiserver does', async () => {
    const post = async (spec: object) => {
      const res = await fetch(`${cluster.url}/apis/authorization.k8s.io/v1/subjectaccessreviews`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken(cluster)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ spec }),
      });
      return { status: res.status, body: (await res.json()) as { message: string; reason: string } };
    };
    const noSubject = await post({ resourceAttributes: { verb: 'get', resource: 'pods' } });
    expect(noSubject.status).toBe(422);
    expect(noSubject.body.message).toBe(
      'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified',
    );
    const both = await post({
      user: 'a',
      resourceAttributes: { verb: 'get', resource: 'pods' },
      nonResourceAttributes: { verb: 'get', path: '/metrics' },
    });
    expect(both.status).toBe(422);
    expect(both.body.message).toContain(
      'exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  });

  it('authorizes the requests of an rbac token with RBAC', async () => {
    const client = await cluster.clientFor('rbac-token');
    await cluster.client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', namespace: 'default' },
    });
    expect(
      (await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'cm' })).metadata
        .name,
    ).toBe('cm');
    const write = await client
      .create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mine', namespace: 'default' } })
      .then(
        () => undefined,
        (err: unknown) => err as Error,
      );
    expect(write?.message).toContain(
      'configmaps is forbidden: User "rbac-user" cannot create resource "configmaps" in API group "" in the namespace "default"',
    );
  });

  it('lists the reviews in discovery with the create verb only', async () => {
    const resources = await cluster.client.discover();
    const tokenReviews = resources.find((r) => r.resource === 'tokenreviews');
    expect(tokenReviews).toMatchObject({
      group: 'authentication.k8s.io',
      namespaced: false,
      verbs: ['create'],
    });
    expect(resources.find((r) => r.resource === 'localsubjectaccessreviews')?.namespaced).toBe(true);
  });
});

function adminToken(cluster: TestCluster): string {
  return /token: (\S+)/.exec(cluster.kubeconfig)?.[1] ?? '';
}
