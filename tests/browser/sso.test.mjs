// Real-browser single sign-on: on a shared portal, a person clicks "Sign in with your company
// account", types their work email, is sent to their company's OpenID provider (the test
// provider tests/sso_idp/oidc_idp.py, started here on loopback), and comes back signed in.
// Debian's Chromium driven by playwright-core against `wrangler dev` (started by scripts/test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { browser, call, port } from './harness.mjs';

/** The test OpenID provider on a free port; resolves to { issuer, stop }. */
function startProvider(clientId, clientSecret) {
  const python = process.env.PORCH_PYTHON || 'python3';
  const root = new URL('../..', import.meta.url).pathname;
  const child = spawn(python, [
    `${root}tests/sso_idp/oidc_idp.py`, '--port', '0', '--key', `${root}tests/fixtures/sso/rsa2048-private.jwk.json`,
    '--client-id', clientId, '--client-secret', clientSecret,
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let providerPort;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('port ')) providerPort = line.slice(5).trim();
      if (line.trim() === 'ready') resolve({ issuer: `http://127.0.0.1:${providerPort}`, stop: () => child.kill() });
    });
    child.on('exit', (code) => reject(new Error(`the test provider exited (${code})`)));
  });
}

test('a person signs in through their company\'s identity provider found by their email domain', async () => {
  const slug = `sso-${process.pid}-${Date.now()}`;
  const origin = `http://${slug}.localhost:${port}`;
  const { tenant } = await call('POST', '/tenants', { slug, name: 'Shared Support Ltd' });
  const t = `/tenants/${tenant.id}`;
  const { portal } = await call('POST', `${t}/portals`, { slug, name: 'Shared Support' });
  await call('POST', `${t}/portals/${portal.id}/domains`, { hostname: `${slug}.localhost` });
  const { customer } = await call('POST', `${t}/customers`, { name: 'Globex' });
  const provider = await startProvider('porch-browser', 'a client secret for the browser test');
  try {
    await call('POST', `${t}/portals/${portal.id}/sso-connections`, {
      name: 'Globex IdP', protocol: 'oidc', oidc: { issuer: provider.issuer, client_id: 'porch-browser' },
      secret: 'a client secret for the browser test', domains: [{ domain: 'globex.example', customer_id: customer.id }],
    });
    const context = await browser().newContext();
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (error) => problems.push(String(error)));
    if (process.env.DEBUG_SSO) page.on('response', (r) => console.log('RESP', r.status(), r.url(), JSON.stringify(r.headers())));
    if (process.env.DEBUG_SSO) page.on('requestfailed', (r) => console.log('FAIL', r.url(), r.failure()?.errorText));
    await page.goto(`${origin}/sign-in`);
    await Promise.all([page.waitForURL(/\/sso\?return_to=/), page.click('text=Sign in with your company account')]);
    await page.fill('input[name=email]', 'grace@globex.example');
    // Continue -> the provider (loopback) -> back to the portal, signed in on the start page.
    await Promise.all([page.waitForURL(`${origin}/`), page.click('main button[type=submit]')]);
    assert.match(await page.textContent('main'), /Welcome, /);
    const { events } = await call('GET', `${t}/portals/${portal.id}/sso-events`);
    assert.equal(events[0].outcome, 'signed_in');
    assert.equal(events[0].email, 'grace@globex.example');
    const { users } = await call('GET', `${t}/portals/${portal.id}/users`);
    assert.equal(users.find((u) => u.email === 'grace@globex.example').customer_id, customer.id);
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    provider.stop();
  }
});
