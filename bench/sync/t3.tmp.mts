import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
const child = spawn(process.execPath, [...process.execArgv, new URL('./server.ts', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
const line: string = await new Promise((r) => child.stdout.once('data', (d) => r(d.toString())));
const kc = readFileSync(JSON.parse(line).kubeconfigPath, 'utf8');
const server = /server: (\S+)/.exec(kc)![1];
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
function req(method: string, path: string, ct: string, body?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const r = http.request(`${server}${path}`, { method, agent, headers: { 'Content-Type': ct, Accept: 'application/json' } }, (res) => { res.resume(); res.on('end', () => resolve()); });
    r.on('error', reject); r.end(body);
  });
}
await req('POST', '/api/v1/namespaces', 'application/json', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } }));
for (const ct of ['application/apply-patch+yaml', 'application/apply-patch+json']) for (const conc of [1, 16]) {
  let next = 0; const t = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => { while (next < 400) { const i = next++; const name = `${ct.slice(-4)}-${conc}-${i}`; await req('PATCH', `/api/v1/namespaces/b/configmaps/${name}?fieldManager=x&force=true`, ct, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'b' }, data: { a: String(i) } })); } }));
  console.log(ct, conc, ((performance.now() - t) / 400).toFixed(2), 'ms/apply');
}
{ let next = 0; const t = performance.now();
  await Promise.all(Array.from({ length: 16 }, async () => { while (next < 400) { const i = next++; await req('GET', `/api/v1/namespaces/b/configmaps/json-16-${i}`, 'application/json'); } }));
  console.log('get 16', ((performance.now() - t) / 400).toFixed(2), 'ms/get'); }
agent.destroy(); child.stdin.end();
