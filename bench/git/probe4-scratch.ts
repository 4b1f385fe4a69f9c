import { request } from 'node:http';
const url = process.argv[2] as string;
const u = new URL(url + '/info/refs?service=git-upload-pack');
// simply GET a big response path: use git-upload-pack via v2 fetch body
const body = Buffer.from(process.argv[3] as string, 'hex');
const ab0 = process.memoryUsage().arrayBuffers; const rss0 = process.memoryUsage().rss;
const chunks: Buffer[] = [];
await new Promise<void>((resolve) => {
  const r = request(url + '/git-upload-pack', { method: 'POST', headers: { 'content-type': 'application/x-git-upload-pack-request', 'git-protocol': 'version=2', 'content-length': body.length } }, (res) => {
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve());
  });
  r.end(body);
});
const abs = new Set(chunks.map((c) => c.buffer)); let backing = 0; for (const a of abs) backing += a.byteLength;
const total = chunks.reduce((n, c) => n + c.length, 0);
console.log('total', total, 'backing', backing, 'ab delta', process.memoryUsage().arrayBuffers - ab0, 'rss delta', process.memoryUsage().rss - rss0, 'chunks', chunks.length, 'distinct', abs.size);
