import { parseYaml } from './src/index.js';
for (const n of [1000, 10000, 100000]) {
  const t = performance.now();
  try { parseYaml('a: ' + '['.repeat(n) + ']'.repeat(n)); console.log(n, 'ok', (performance.now()-t).toFixed(0)); }
  catch (e) { console.log(n, (e as Error).constructor.name, (e as Error).message.slice(0, 100), (performance.now()-t).toFixed(0)); }
  let block = 'a:\n'; for (let i = 1; i < Math.min(n, 3000); i++) block += ' '.repeat(i) + 'b:\n';
  try { parseYaml(block); console.log(n, 'block ok'); } catch (e) { console.log(n, 'block', (e as Error).constructor.name, (e as Error).message.slice(0, 100)); }
}
