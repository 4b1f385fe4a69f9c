import { isJsonObject } from '@gitops-kit/core';
import { cond, condition, obj, stripUpdateTime } from './objects.js';
import type { ControllerRuntime } from './runtime.js';

/** The aggregator: local APIServices are Available, those backed by a Service are not (none runs). */
export function syncApiService(rt: ControllerRuntime, name: string): void {
  const type = rt.type('apiregistration.k8s.io', 'v1', 'APIService');
  const svc = rt.engine.get(type, '', name);
  if (!svc || cond(svc, 'Available')) return;
  // Local API services (no spec.service) are served by the API server itself, as for the built-ins.
  const local = !isJsonObject(obj(svc.spec).service);
  rt.writeStatus(type, svc, {
    conditions: [
      local
        ? condition('Available', 'True', 'Local', 'Local APIServices are always available', undefined)
        : condition(
            'Available',
            'False',
            'ServiceNotFound',
            `service/${String(obj(obj(svc.spec).service).name)} in "${String(obj(obj(svc.spec).service).namespace)}" is not present`,
            undefined,
          ),
    ].map(stripUpdateTime),
  });
}
