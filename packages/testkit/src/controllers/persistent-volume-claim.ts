import type { JsonValue } from '@gitops-kit/core';
import { MANAGER, meta, obj } from './objects.js';
import type { ControllerRuntime } from './runtime.js';

/** The volume binder: a new PersistentVolumeClaim gets a volume name and is Bound. */
export function bindClaim(rt: ControllerRuntime, ns: string, name: string): void {
  const type = rt.type('', 'v1', 'PersistentVolumeClaim');
  const pvc = rt.engine.get(type, ns, name);
  if (!pvc || obj(pvc.status).phase === 'Bound') return;
  const spec = obj(pvc.spec);
  const volumeName = `pvc-${String(meta(pvc).uid)}`;
  const bound = rt.engine.patch(type, ns, name, 'merge', { spec: { volumeName } }, { manager: MANAGER });
  rt.writeStatus(type, bound, {
    phase: 'Bound',
    accessModes: (spec.accessModes as JsonValue) ?? ['ReadWriteOnce'],
    capacity: { storage: (obj(obj(spec.resources).requests).storage as JsonValue) ?? '1Gi' },
  });
}
