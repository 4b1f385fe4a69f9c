// The web view end to end in headless Chromium (Debian's `chromium`, driven by playwright-core):
// the login with a token (kept in an HttpOnly cookie), badges on the list, the resource tree, a status change arriving over Server-Sent Events without
// a reload, a rollback clicked through to the Application, and a screenshot that must be a PNG.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE_TOKEN,
  APPS_NS,
  DEST_NS,
  devStatus,
  KEYS,
  startWebFixture,
  type WebFixture,
  waitForPods,
} from './web-fixtures.js';

// CHROMIUM_PATH points at another build (a CI image that installs it elsewhere).
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `web-browser.test.ts: skipped, ${CHROMIUM} is absent (install it with: apt-get update && apt-get install -y chromium)`,
  );
}

const DEV = `${APPS_NS}/guestbook-dev`;

describe.skipIf(!hasChromium)('the web view in headless Chromium', () => {
  let fx: WebFixture;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  let shots: string;

  beforeAll(async () => {
    userDataDir = mkdtempSync(join(tmpdir(), 'web-view-chromium-'));
    // WEB_VIEW_SCREENSHOTS keeps the screenshots in a directory of your choice, to look at them.
    shots = process.env.WEB_VIEW_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'web-view-shots-'));
    fx = await startWebFixture();
    await waitForPods(fx.cluster);
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await context?.close();
    await fx?.stop();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    if (shots && !process.env.WEB_VIEW_SCREENSHOTS) rmSync(shots, { recursive: true, force: true });
  });

  const waitForLive = () => page.locator('#live-status[data-state="on"]').waitFor();

  it('sends the browser to the login page; a token the cluster accepts logs it in, in an HttpOnly cookie', async () => {
    await page.goto(fx.url);
    await page.waitForURL('**/login?next=%2F');
    await page.fill('#token', 'not-a-token');
    await page.click('#login');
    await page.locator('#login-notice', { hasText: 'The API server did not accept this token.' }).waitFor();
    await page.fill('#token', ALICE_TOKEN);
    await page.click('#login');
    await page.waitForURL(`${fx.url}/`);
    expect(await page.locator('#current-user').textContent()).toBe('alice');
    const [cookie] = await context.cookies(fx.url);
    expect(cookie).toMatchObject({
      name: 'gitops-kit-session',
      httpOnly: true,
      sameSite: 'Strict',
      secure: false,
    });
    // No script of the page can read it.
    expect(await page.evaluate('document.cookie')).toBe('');
  });

  it('lists each Application with its sync and health badges', async () => {
    await page.goto(fx.url);
    const badge = (key: string, field: string) =>
      page.locator(`tr[data-app="${key}"] [data-field="${field}"]`);
    expect(await badge(DEV, 'sync').textContent()).toBe('Synced');
    expect(await badge(DEV, 'sync').getAttribute('class')).toBe('badge sync-Synced');
    expect(await badge(DEV, 'health').textContent()).toBe('Healthy');
    const prod = `${APPS_NS}/guestbook-prod`;
    expect(await badge(prod, 'sync').textContent()).toBe('OutOfSync');
    expect(await badge(prod, 'health').textContent()).toBe('Progressing');
    // The hostile health message is text, not markup.
    expect(await badge(prod, 'health').getAttribute('title')).toContain('<script>alert(1)</script>');
    expect(await page.locator('tr[data-app]').count()).toBe(2);
    await waitForLive();
    await page.screenshot({ path: join(shots, 'list.png'), fullPage: true });
  });

  it('shows the application page with the tree Deployment → ReplicaSet → Pod', async () => {
    await page.click(`tr[data-app="${DEV}"] a.app-name`);
    await page.waitForURL(`**/applications/${APPS_NS}/guestbook-dev`);
    const chain = await page.evaluate(`(() => {
      const kinds = [];
      let node = document.querySelector('[data-resource="${KEYS.deployment}"]');
      while (node) {
        kinds.push(node.querySelector('.kind').textContent + ' ' + (node.querySelector('[data-field="health"]').textContent));
        node = node.closest('li').querySelector(':scope > ul > li > .node');
      }
      return kinds;
    })()`);
    expect(chain).toEqual(['Deployment Healthy', 'ReplicaSet Healthy', 'Pod Healthy']);
    const podName = await page
      .locator(`[data-child^="~/v1/Pod/${DEST_NS}/guestbook-ui-"] .name`)
      .textContent();
    expect(podName).toMatch(/^guestbook-ui-/);
  });

  it('patches the badges in place when the status changes through the API, without a reload', async () => {
    await waitForLive();
    await page.evaluate("window.__notReloaded = 'yes'");
    const resources = devStatus().resources as { health: { status: string; message?: string } }[];
    resources[0] = {
      ...resources[0],
      health: { status: 'Degraded', message: 'Deployment exceeded its progress deadline' },
    } as (typeof resources)[0];
    await fx.setStatus(
      'guestbook-dev',
      devStatus({ health: { status: 'Degraded', message: 'one resource is degraded' }, resources }),
    );
    // A locator, not waitForFunction: the latter evaluates in the page, which the view's strict CSP
    // (no 'unsafe-eval') refuses.
    await page.locator('.status-line [data-field="health"]', { hasText: /^Degraded$/ }).waitFor();
    expect(await page.locator('.status-line [data-field="health"]').getAttribute('class')).toBe(
      'badge health-Degraded',
    );
    expect(await page.locator('[data-field="health-message"]').textContent()).toBe(
      'one resource is degraded',
    );
    const node = page.locator(`[data-resource="${KEYS.deployment}"]`);
    expect(await node.locator('[data-field="health"]').textContent()).toBe('Degraded');
    expect(await node.locator('[data-field="message"]').textContent()).toBe(
      'Deployment exceeded its progress deadline',
    );
    expect(await page.evaluate('window.__notReloaded')).toBe('yes');
  });

  it('rolls back: the click sets the rollback operation on the Application', async () => {
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('button[data-rollback="0"]');
    await page.waitForURL('**?rollback=0');
    expect(await page.locator('.notice-info').textContent()).toContain('Rollback to history id 0 requested');
    const app = await fx.getApp('guestbook-dev');
    expect(app.operation).toEqual({ rollback: { id: 0 }, initiatedBy: { username: 'alice' } });
    expect(await page.locator('button[data-rollback="0"]').isDisabled()).toBe(true);
  });

  it('does nothing when the rollback is not confirmed', async () => {
    await fx.createApp(
      'guestbook-qa',
      APPS_NS,
      (await fx.getApp('guestbook-dev')).spec as never,
      devStatus(),
    );
    await page.goto(`${fx.url}/applications/${APPS_NS}/guestbook-qa`);
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.click('button[data-rollback="0"]');
    // A same-page request after the dismissed dialog proves the form was not submitted before it.
    await page.evaluate('fetch(location.href).then((r) => r.text())');
    expect(page.url()).not.toContain('rollback=');
    expect((await fx.getApp('guestbook-qa')).operation).toBeUndefined();
  });

  it('adds a new history entry to the open page when the operator records a sync', async () => {
    await page.goto(`${fx.url}/applications/${APPS_NS}/guestbook-qa`);
    await waitForLive();
    await page.evaluate("window.__notReloaded = 'yes'");
    const status = devStatus();
    const history = [...(status.history as object[])];
    history.push({
      id: 2,
      revision: 'c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffe',
      deployedAt: '2026-11-26T12:00:00Z',
      source: { repoURL: 'https://git.example.com/team/guestbook.git', targetRevision: 'main', path: 'dev' },
    });
    await fx.setStatus('guestbook-qa', { ...status, history } as never);
    await page.waitForSelector('tr[data-history="2"]');
    expect(await page.locator('tr[data-history="2"] code').textContent()).toBe('c0ffee0');
    expect(await page.evaluate('window.__notReloaded')).toBe('yes');
  });

  it('shows the diff of an OutOfSync resource, and takes a screenshot', async () => {
    await page.goto(`${fx.url}/applications/${APPS_NS}/guestbook-prod`);
    const tree = join(shots, 'app.png');
    await page.screenshot({ path: tree, fullPage: true });
    await page.click(`[data-resource="${KEYS.deployment}"] a.diff-link`);
    await page.waitForSelector('#diff');
    expect(await page.locator('#diff .add').allTextContents()).toContain('+  replicas: 3');
    const file = join(shots, 'diff.png');
    await page.screenshot({ path: file, fullPage: true });
    for (const shot of [join(shots, 'list.png'), tree, file]) {
      const png = readFileSync(shot);
      expect(png.length).toBeGreaterThan(1000);
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    }
  });

  it('logs out: the cookie is gone and the view asks for a token again', async () => {
    await page.goto(fx.url);
    await page.click('#logout');
    await page.waitForURL('**/login');
    expect(await context.cookies(fx.url)).toEqual([]);
    await page.goto(`${fx.url}/applications/${APPS_NS}/guestbook-dev`);
    await page.waitForURL('**/login?next=*');
    expect(await page.locator('#token').count()).toBe(1);
  });
});
