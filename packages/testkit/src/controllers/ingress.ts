import { obj } from './objects.js';
import type { ControllerRuntime } from './runtime.js';

/** The ingress controller: every Ingress gets a load balancer IP after `provisionDelayMs`. */
export function syncIngress(rt: ControllerRuntime, ns: string, name: string): void {
  const type = rt.type('networking.k8s.io', 'v1', 'Ingress');
  const ing = rt.engine.get(type, ns, name);
  if (!ing) return;
  const ingress = obj(obj(ing.status).loadBalancer).ingress;
  if (Array.isArray(ingress) && ingress.length > 0) return;
  rt.later(rt.options.provisionDelayMs, () => {
    const cur = rt.engine.get(type, ns, name);
    if (!cur) return;
    rt.writeStatus(type, cur, { loadBalancer: { ingress: [{ ip: '192.0.2.250' }] } });
  });
}
