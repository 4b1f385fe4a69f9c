import { ValidationError } from '@gitops-kit/core';
import { redactUrl } from '../redact.js';

const ALLOWED_SCHEMES = new Set(['http:', 'https:', 'ssh:', 'git+ssh:', 'ssh+git:', 'git:']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Checks the URL (no option-like or local URLs, no remote helpers) and the headers, and moves any
 * user info of an http(s) URL into an Authorization header, so no credential is on git's command line.
 */
export function prepareRemote(
  rawUrl: string,
  given: Record<string, string>,
): { url: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (!HEADER_NAME.test(name) || /[\r\n\0]/.test(value)) {
      throw new ValidationError(`header ${JSON.stringify(name)} is not a valid HTTP header`, {
        path: 'headers',
      });
    }
    headers[name] = value;
  }
  // `transport::address` runs a remote helper (`ext::` runs any command): never.
  if (/^\s|^-/.test(rawUrl) || /[\r\n\0]/.test(rawUrl) || /^[a-z0-9+.-]+::/i.test(rawUrl)) {
    throw new ValidationError(`"${redactUrl(rawUrl)}" is not a repository URL`, { path: 'url' });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rawUrl)) return prepareSchemeUrl(rawUrl, headers);
  // scp-like syntax: [user@]host:path, with no slash before the colon.
  if (/^(?:[^@/\s]+@)?(?:\[[^\]/]+\]|[^:/\s]+):/.test(rawUrl)) return { url: rawUrl, headers };
  throw new ValidationError(
    `"${redactUrl(rawUrl)}" is not a remote repository URL (local paths and file:// are refused)`,
    { path: 'url', code: 'UNSUPPORTED' },
  );
}

function prepareSchemeUrl(
  rawUrl: string,
  headers: Record<string, string>,
): { url: string; headers: Record<string, string> } {
  let parsed: URL;
  try {
    parsed = new URL(rawUrl);
  } catch {
    throw new ValidationError(`"${redactUrl(rawUrl)}" is not a valid URL`, { path: 'url' });
  }
  if (!ALLOWED_SCHEMES.has(parsed.protocol)) {
    throw new ValidationError(
      `unsupported URL scheme ${parsed.protocol} (http, https, ssh and git are supported)`,
      { path: 'url', code: 'UNSUPPORTED' },
    );
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
    if (parsed.username !== '' || parsed.password !== '') {
      const hasAuth = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
      if (!hasAuth) {
        const user = decodeURIComponent(parsed.username);
        const pass = decodeURIComponent(parsed.password);
        headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;
      }
      parsed.username = '';
      parsed.password = '';
      return { url: parsed.toString(), headers };
    }
  } else if (parsed.password !== '') {
    // ssh takes no password in the URL: keep the user, drop the secret.
    return { url: rawUrl.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1@'), headers };
  }
  return { url: rawUrl, headers };
}
