// Real-browser walk through the recipient flows: invitation link -> sign-up with terms ->
// start page -> sign out -> sign in -> forgot password -> the link in the dev mailbox ->
// new password -> signed in. Debian's Chromium driven by playwright-core against
// `wrangler dev` (started by scripts/test; PORCH_BASE_PORT and PORCH_E2E_TOKEN set).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, call, port } from './harness.mjs';



/** A fresh tenant with a portal on `<slug>.localhost` that has terms and a consent text. */
async function newPortal() {
  const slug = `walk-${process.pid}-${Date.now()}`;
  const { tenant } = await call('POST', '/tenants', { slug, name: 'Walk Ltd' });
  const { portal } = await call('POST', `/tenants/${tenant.id}/portals`, {
    slug, name: 'Walk Portal', terms_text: 'Use the portal kindly.', consent_text: 'We keep your name and email.',
  });
  await call('POST', `/tenants/${tenant.id}/portals/${portal.id}/domains`, { hostname: `${slug}.localhost` });
  return { tenant, portal, origin: `http://${slug}.localhost:${port}` };
}

test('an invited recipient signs up, signs out, signs in, and resets a forgotten password', async () => {
  const { tenant, portal, origin } = await newPortal();
  const email = `walker-${Date.now()}@example.com`;
  const { url } = await call('POST', `/tenants/${tenant.id}/portals/${portal.id}/invitations`, { send_email: false });
  assert.ok(url.startsWith(origin), url);

  const context = await browser().newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });

  // Invitation link -> profile with terms and consent -> start page.
  await page.goto(url);
  assert.match(await page.textContent('main'), /Use the portal kindly\./);
  await page.fill('input[name=name]', 'Walker');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', 'first long passphrase');
  await page.check('input[name=accept_terms]');
  await page.check('input[name=consent]');
  await Promise.all([page.waitForURL(`${origin}/`), page.click('main button[type=submit]')]);
  assert.match(await page.textContent('h1'), /Welcome, Walker/);
  const cookies = await context.cookies(origin);
  const session = cookies.find((c) => c.name === 'porch_session');
  assert.ok(session && session.httpOnly && session.sameSite === 'Lax', JSON.stringify(cookies));

  // Sign out: one click, the menu's button posts the form.
  await Promise.all([page.waitForURL(`${origin}/signed-out`), page.click('form[action="/sign-out"] button')]);
  assert.match(await page.textContent('h1'), /signed out/);

  // Sign in.
  await page.click('a[href="/sign-in"]');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', 'first long passphrase');
  await Promise.all([page.waitForURL(`${origin}/`), page.click('main button[type=submit]')]);
  assert.match(await page.textContent('h1'), /Welcome, Walker/);

  // Forgot password: sign out, ask for a link, follow it from the dev mailbox page.
  await Promise.all([page.waitForURL(`${origin}/signed-out`), page.click('form[action="/sign-out"] button')]);
  await page.goto(`${origin}/sign-in`);
  await page.click('a[href="/forgot-password"]');
  await page.fill('input[name=email]', email);
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('main'), /If there is an account/);

  const mailbox = await context.newPage();
  await mailbox.goto(`http://127.0.0.1:${port}/_dev/mailbox`);
  const link = mailbox.locator(`a[href^="${origin}/reset-password/"]`).first();
  const href = await link.getAttribute('href');
  assert.ok(href, 'the reset email is in the dev mailbox with a clickable link');
  await Promise.all([mailbox.waitForURL(href), link.click()]);
  await mailbox.fill('input[name=password]', 'second long passphrase');
  await Promise.all([mailbox.waitForURL(`${origin}/`), mailbox.click('main button[type=submit]')]);
  assert.match(await mailbox.textContent('h1'), /Welcome, Walker/);

  // The old password no longer works; the new one does.
  const fresh = await browser().newContext();
  const again = await fresh.newPage();
  await again.goto(`${origin}/sign-in`);
  await again.fill('input[name=email]', email);
  await again.fill('input[name=password]', 'first long passphrase');
  await again.click('main button[type=submit]');
  assert.match(await again.textContent('main'), /not right/);
  await again.fill('input[name=email]', email);
  await again.fill('input[name=password]', 'second long passphrase');
  await Promise.all([again.waitForURL(`${origin}/`), again.click('main button[type=submit]')]);
  assert.match(await again.textContent('h1'), /Welcome, Walker/);

  assert.deepEqual(problems, [], 'no script errors or CSP violations');
  await fresh.close();
  await context.close();
});
