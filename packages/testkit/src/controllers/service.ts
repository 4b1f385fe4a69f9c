import { createHash } from 'node:crypto';
import { obj } from './objects.js';
import type { ControllerRuntime } from './runtime.js';

/** The cloud controller for Services of type LoadBalancer: an ingress IP after `provisionDelayMs`. */
export function syncService(rt: ControllerRuntime, ns: string, name: string): void {
  const type = rt.type('', 'v1', 'Service');
  const svc = rt.engine.get(type, ns, name);
  if (!svc || obj(svc.spec).type !== 'LoadBalancer') return;
  const ingress = obj(obj(svc.status).loadBalancer).ingress;
  if (Array.isArray(ingress) && ingress.length > 0) return;
  rt.later(rt.options.provisionDelayMs, () => {
    const cur = rt.engine.get(type, ns, name);
    if (!cur || obj(cur.spec).type !== 'LoadBalancer') return;
    const n =
      (Number.parseInt(createHash('sha256').update(`${ns}/${name}`).digest('hex').slice(0, 4), 16) % 250) + 1;
    rt.writeStatus(type, cur, { loadBalancer: { ingress: [{ ip: `192.0.2.${n}`, ipMode: 'VIP' }] } });
  });
}
