// A small token service for docker-registry's token authentication: an ES256 key and its
// self-signed certificate (made with the machine's openssl), and an HTTP server that hands out JWTs
// carrying that certificate in `x5c`, which the registry verifies against the certificate as its
// root bundle. Anonymous callers get `pull`; callers with the right basic credentials get what they
// ask for; wrong credentials get 401.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running token service. */
export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certificatePem: string;
  /** Each token request: its scopes and whether it carried credentials. */
  requests: Array<{ scopes: string[]; authenticated: boolean }>;
  stop(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** Starts the token service; `users` are the credentials it accepts. */
export async function startTokenServer(users: Record<string, string>): Promise<TokenServer> {
  const dir = mkdtempSync(join(tmpdir(), 'oci-token-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=test-token-issuer',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const key = createPrivateKey(readFileSync(join(dir, 'key.pem')));
  const certificatePem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
  const der = Buffer.from(certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const service = 'test-registry';
  const issuer = 'test-issuer';
  const requests: TokenServer['requests'] = [];

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const scopes = url.searchParams.getAll('scope');
    const header = req.headers.authorization;
    let authenticated = false;
    if (header !== undefined) {
      const [user, pass] = Buffer.from(header.replace(/^Basic /, ''), 'base64')
        .toString()
        .split(':');
      if (user === undefined || users[user] !== pass) {
        res.writeHead(401).end();
        return;
      }
      authenticated = true;
    }
    requests.push({ scopes, authenticated });
    const access = scopes.map((scope) => {
      const [type, name, actions = ''] = scope.split(':');
      return {
        type,
        name,
        actions: authenticated ? actions.split(',') : actions.split(',').filter((a) => a === 'pull'),
      };
    });
    const now = Math.floor(Date.now() / 1000);
    const head = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', x5c: [der.toString('base64')] }));
    const claims = b64url(
      JSON.stringify({
        iss: issuer,
        sub: authenticated ? 'user' : '',
        aud: service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access,
      }),
    );
    const signature = sign('sha256', Buffer.from(`${head}.${claims}`), { key, dsaEncoding: 'ieee-p1363' });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: `${head}.${claims}.${b64url(signature)}`, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certificatePem,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
