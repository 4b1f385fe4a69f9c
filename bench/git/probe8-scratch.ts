const url = process.argv[2] as string;
const body = Buffer.from(process.argv[3] as string, 'hex');
const ab0 = process.memoryUsage().arrayBuffers; const rss0 = process.memoryUsage().rss;
const res = await fetch(url + '/git-upload-pack', { method: 'POST', headers: { 'content-type': 'application/x-git-upload-pack-request', 'git-protocol': 'version=2' }, body });
const chunks: Uint8Array[] = [];
const reader = res.body!.getReader();
for (;;) { const { done, value } = await reader.read(); if (done) break; chunks.push(value); }
const abs = new Set(chunks.map((c) => c.buffer)); let backing = 0; for (const a of abs) backing += a.byteLength;
const total = chunks.reduce((n, c) => n + c.length, 0);
console.log('total', total, 'backing', backing, 'ab delta', process.memoryUsage().arrayBuffers - ab0, 'rss delta', process.memoryUsage().rss - rss0, 'chunks', chunks.length);
