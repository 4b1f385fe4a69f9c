import type { KubeObject } from '@gitops-kit/core';

/** The verbs that let a user read Applications in the web view. */
export const APPLICATION_READ_VERBS = ['get', 'list', 'watch'] as const;
/** The verbs that also let a user sync, refresh and roll back. */
export const APPLICATION_WRITE_VERBS = ['get', 'list', 'watch', 'update', 'patch'] as const;

/** A subject of a binding: a user, a group, or a ServiceAccount (`namespace/name`). */
export type RbacSubject =
  | { kind: 'User'; name: string }
  | { kind: 'Group'; name: string }
  | { kind: 'ServiceAccount'; name: string; namespace: string };

/**
 * A Role granting `verbs` on `applications.gitops-kit.dev` in `namespace`, and the RoleBinding of
 * `subjects` to it: what a user needs to use the web view there (`kubectl apply` them, or create
 * them with a client). Plain JSON.
 */
export function applicationAccessRbac(options: {
  name: string;
  namespace: string;
  verbs: readonly string[];
  subjects: readonly RbacSubject[];
}): [role: KubeObject, binding: KubeObject] {
  const { name, namespace } = options;
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace },
      rules: [{ apiGroups: ['gitops-kit.dev'], resources: ['applications'], verbs: [...options.verbs] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: options.subjects.map((s) =>
        s.kind === 'ServiceAccount'
          ? { kind: s.kind, name: s.name, namespace: s.namespace }
          : { apiGroup: 'rbac.authorization.k8s.io', kind: s.kind, name: s.name },
      ),
    },
  ];
}
