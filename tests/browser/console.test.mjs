// The console in a real browser on console.localhost. The platform's first operator is made
// with the platform token, sets up two-step verification (the code computed here as an
// authenticator app would, RFC 6238), keeps the recovery codes, lands on the tenants, signs
// out and back in with a recovery code, then invites a tenant's first owner, who joins
// through the link in a browser of their own and works through the tenant's tabs: a customer
// and Trackunit's steps to its portal, an asset shared with it, a theme with its live preview
// and contrast report, a template, an API key, a webhook, the emails, the tenant's settings,
// the audit log, and HubSpot's settings. Every page passes the recipients' bar (reflow at
// 320, 390 and 1280 px, axe-core WCAG 2.1 A/AA, screenshots). The set-up happens once per
// server, so this needs the fresh state scripts/test starts with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { browser, call, checkPage, port, token } from './harness.mjs';

const origin = `http://console.localhost:${port}`;

/** RFC 4648 base32 (the key as the page shows it, spaces and all) to bytes. */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/\s+/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The 6-digit TOTP code of `secret` now (RFC 6238: HMAC-SHA-1, 30 s steps). */
function totp(secret) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const hash = createHmac('sha1', secret).update(counter).digest();
  const offset = hash[hash.length - 1] & 0x0f;
  return String((hash.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

test('the first operator sets up the console, proves it again after leaving before two-step verification, and signs back in with a recovery code', async () => {
  let context = await browser().newContext();
  let page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(String(error)));

  await page.goto(`${origin}/`);
  assert.equal(new URL(page.url()).pathname, '/set-up',
    'a fresh console opens on its set-up (this test needs a server whose console is not set up yet)');
  await checkPage(page, 'console-set-up');

  await page.fill('#token', 'not the token');
  await page.fill('#name', 'Olga Ops');
  await page.fill('#email', 'olga@porch.example');
  await page.fill('#password', 'a long console password');
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('.error-summary'), /The platform admin token is not right/);
  assert.equal(await page.inputValue('#name'), 'Olga Ops', 'what was typed is kept');
  await checkPage(page, 'console-set-up-error');

  await page.fill('#token', token);
  await page.fill('#password', 'a long console password');
  await Promise.all([page.waitForURL(`${origin}/second-factor`), page.click('main button[type=submit]')]);
  // The operator leaves before setting up the second factor, and comes back in a new browser:
  // the password alone leads to a page asking for the platform token again, not to a secret.
  await context.close();
  context = await browser().newContext();
  page = await context.newPage();
  page.on('pageerror', (error) => problems.push(String(error)));
  await page.goto(`${origin}/sign-in`);
  await checkPage(page, 'console-sign-in');
  await page.fill('#email', 'olga@porch.example');
  await page.fill('#password', 'a long console password');
  await Promise.all([page.waitForURL(`${origin}/second-factor`), page.click('main button[type=submit]')]);
  assert.match(await page.textContent('h1'), /Confirm you may set up two-step verification/);
  await checkPage(page, 'console-prove');
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(`${origin}/second-factor`), page.click('main button[type=submit]')]);
  await checkPage(page, 'console-second-factor');
  const secret = base32(await page.textContent('code.key'));
  assert.equal(secret.length, 20);
  await page.fill('#code', totp(secret));
  await page.click('main button[type=submit]');
  await page.waitForSelector('ul.codes');
  const codes = await page.$$eval('ul.codes code', (nodes) => nodes.map((n) => n.textContent));
  assert.equal(codes.length, 10);
  await checkPage(page, 'console-recovery-codes');

  await Promise.all([page.waitForURL(`${origin}/`), page.click('main a.button')]);
  assert.match(await page.textContent('h1'), /Tenants/);
  assert.match(await page.textContent('main'), /Recovery codes left: 10/);
  await checkPage(page, 'console-tenants');

  // A tenant's customers, and a search of them by name that finds none.
  await Promise.all([page.waitForURL(/\/tenants\//), page.click('main table a >> nth=0')]);
  assert.match(await page.textContent('h2'), /Customers/);
  await checkPage(page, 'console-tenant');
  await page.fill('#q', 'no such customer');
  await Promise.all([page.waitForURL(/\?q=/), page.click('main form[role=search] button')]);
  assert.match(await page.textContent('main'), /No customer's name contains “no such customer”/);
  await checkPage(page, 'console-tenant-search');
  await Promise.all([page.waitForURL(`${origin}/`), page.click('main p.back a')]);

  await Promise.all([page.waitForURL(`${origin}/sign-in`), page.click('header form[action="/sign-out"] button')]);
  await page.fill('#email', 'olga@porch.example');
  await page.fill('#password', 'a long console password');
  await Promise.all([page.waitForURL(`${origin}/sign-in/code`), page.click('main button[type=submit]')]);
  await checkPage(page, 'console-code');
  await page.fill('#code', codes[0]);
  await Promise.all([page.waitForURL(`${origin}/`), page.click('main button[type=submit]')]);
  assert.match(await page.textContent('main'), /Recovery codes left: 9/);

  // A new tenant with a portal (made through the API), whose first owner the operator invites
  // from its Staff tab; the link is shown once.
  const slug = `console-${Date.now()}`;
  const made = await call('POST', '/tenants', { slug, name: 'Console Test Ltd' });
  const tenantId = made.tenant.id;
  await call('POST', `/tenants/${tenantId}/portals`, { slug: `${slug}-help`, name: 'Console Test Help' });
  await page.goto(`${origin}/tenants/${tenantId}`);
  await Promise.all([page.waitForURL(/\/staff$/), page.click('nav.tabs a >> text=Staff')]);
  await checkPage(page, 'console-staff');
  const owner = `owner-${Date.now()}@tenant.example`;
  await page.fill('#email', 'not an email');
  await page.click('main form.stack button[type=submit]');
  assert.match(await page.textContent('.error-summary'), /Enter an email address/);
  await checkPage(page, 'console-staff-error');
  await page.fill('#email', owner);
  await page.selectOption('#role', 'owner');
  await page.click('main form.stack button[type=submit]');
  await page.waitForSelector('#staff-link');
  const link = await page.inputValue('#staff-link');
  assert.match(await page.textContent('.notice'), new RegExp(`Invitation sent to ${owner}`));
  await checkPage(page, 'console-staff-invited');
  const tenantPath = `/tenants/${tenantId}`;

  // The owner follows the link in a browser of their own, joins, and sets up their second factor.
  const theirs = await browser().newContext();
  const joining = await theirs.newPage();
  joining.on('pageerror', (error) => problems.push(String(error)));
  assert.ok(link.startsWith(`${origin}/join/`), link);
  await joining.goto(link);
  assert.match(await joining.textContent('h1'), /Join .* in the console/);
  await checkPage(joining, 'console-join');
  await joining.fill('#name', 'Owen Owner');
  await joining.fill('#password', 'an owner password, long');
  await Promise.all([joining.waitForURL(`${origin}/second-factor`), joining.click('main button[type=submit]')]);
  await joining.fill('#code', totp(base32(await joining.textContent('code.key'))));
  await joining.click('main button[type=submit]');
  await joining.waitForSelector('ul.codes');
  await Promise.all([joining.waitForURL(`${origin}${tenantPath}`), joining.click('main a.button')]);
  assert.equal(await joining.$('main p.back'), null, 'no way to other tenants');
  await Promise.all([joining.waitForURL(/\/staff$/), joining.click('nav.tabs a >> text=Staff')]);
  assert.match(await joining.textContent('main table'), /Owen Owner \(you\)/);
  await checkPage(joining, 'console-staff-owner');

  // A customer added from the Customers tab, its profile, and a business unit of it.
  await Promise.all([joining.waitForURL(`${origin}${tenantPath}`), joining.click('nav.tabs a >> text=Customers')]);
  await joining.fill('main form.stack #name', 'Globex A/S');
  await Promise.all([joining.waitForURL(/done=created/), joining.click('main form.stack button[type=submit]')]);
  assert.match(await joining.textContent('main h2 >> nth=0'), /Globex A\/S/);
  await joining.fill('main form.stack #name', 'North');
  await Promise.all([joining.waitForURL(/done=unit/), joining.click('main form.stack button[type=submit]')]);
  assert.match(await joining.textContent('main'), /North/);
  await checkPage(joining, 'console-customer');

  // Trackunit's steps: the customer's own portal through the wizard (set-up, branding, start
  // page, check your answers), the first admin's link created and copied, the admin joining
  // in a browser of their own, and the portal's overview in the link's place.
  const profileUrl = joining.url().replace(/\?.*$/, '');
  await Promise.all([joining.waitForURL(/new-portal\/setup$/), joining.click('#customer-portal a.button')]);
  assert.equal(await joining.inputValue('#name'), 'Globex A/S');
  await checkPage(joining, 'console-wizard-setup');
  await joining.fill('#name', 'Globex Help');
  await joining.fill('#slug', 'Not OK');
  await joining.click('main form.stack button[type=submit]');
  await joining.waitForSelector('.error-summary a[href="#slug"]');
  assert.equal(await joining.inputValue('#slug'), 'Not OK');
  await checkPage(joining, 'console-wizard-setup-error');
  await joining.fill('#slug', `${slug}-globex`);
  await joining.getByLabel('Documents', { exact: true }).check();
  await Promise.all([joining.waitForURL(/new-portal\/branding\?/), joining.click('main form.stack button[type=submit]')]);
  await checkPage(joining, 'console-wizard-branding');
  await Promise.all([joining.waitForURL(/new-portal\/start-page\?/), joining.click('main form.stack button[type=submit]')]);
  await joining.getByLabel('Documents', { exact: true }).check();
  await checkPage(joining, 'console-wizard-start');
  await Promise.all([joining.waitForURL(/new-portal\/review\?/), joining.click('main form.stack button[type=submit]')]);
  assert.match(await joining.textContent('dl.answers'), /Globex Help[\s\S]*Documents/);
  await checkPage(joining, 'console-wizard-review');
  await Promise.all([joining.waitForURL(/done=portal/), joining.click('main form.stack button[type=submit]')]);
  assert.match(await joining.textContent('#customer-portal'), /0 waiting, 0 accepted/);
  await checkPage(joining, 'console-customer-portal');
  await theirs.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  await joining.click('#customer-portal form button[type=submit]');
  await joining.waitForSelector('#invitation-link');
  const adminLink = await joining.inputValue('#invitation-link');
  assert.match(adminLink, /\/invite\//);
  await joining.click('button[data-copy]');
  await joining.waitForFunction(() => document.querySelector('.copied').textContent !== '');
  assert.equal(await joining.evaluate(() => navigator.clipboard.readText()), adminLink, 'Copy link copies the link');
  await checkPage(joining, 'console-customer-link');
  const customers = await browser().newContext();
  const gita = await customers.newPage();
  await gita.goto(adminLink);
  await gita.fill('input[name=name]', 'Gita Globex');
  await gita.fill('input[name=email]', `gita-${Date.now()}@globex.example`);
  await gita.fill('input[name=password]', 'a recipient passphrase');
  await Promise.all([gita.waitForURL(/\/documents$/), gita.click('main button[type=submit]')]);
  await customers.close();
  await joining.goto(profileUrl);
  assert.match(await joining.textContent('#customer-portal'), /Gita Globex/);
  assert.match(await joining.textContent('#customer-portal'), /0 waiting, 1 accepted/);
  assert.equal(await joining.$('#customer-portal form'), null, 'the overview replaces the link');
  await checkPage(joining, 'console-customer-overview');

  // Equipment: an asset (sent through the API, as a provider's systems do) shared with the
  // customer from a day until further notice, then no longer.
  await call('PUT', `/tenants/${tenantId}/assets/EX-1`, { name: 'Excavator 1' });
  await Promise.all([joining.waitForURL(/\/equipment$/), joining.click('nav.tabs a >> text=Equipment')]);
  await checkPage(joining, 'console-equipment');
  await Promise.all([joining.waitForURL(/\/equipment\/EX-1$/), joining.click('main table a')]);
  await joining.selectOption('#customer_id', { label: 'Globex A/S' });
  await joining.fill('#from', '2026-01-01');
  await Promise.all([joining.waitForURL(/done=shared/), joining.click('main form.stack button[type=submit]')]);
  assert.match(await joining.textContent('main table'), /Globex A\/S[\s\S]*Until further notice/);
  await checkPage(joining, 'console-asset');
  await Promise.all([joining.waitForURL(/done=stopped/), joining.click('main table button.link-button')]);

  // Themes: a new theme whose preview follows the colour fields as they change, a colour the
  // contrast report finds too low replaced by its suggestion, then created.
  await Promise.all([joining.waitForURL(/\/themes$/), joining.click('nav.tabs a >> text=Themes')]);
  await checkPage(joining, 'console-themes');
  await Promise.all([joining.waitForURL(/\/themes\/new$/), joining.click('main a.button')]);
  await joining.fill('#name', 'Globex look');
  await joining.fill('#primary', '#ffff00');
  await joining.waitForFunction(() =>
    getComputedStyle(document.querySelector('.theme-preview .button')).backgroundColor === 'rgb(255, 255, 0)');
  await joining.click('button[name=intent][value=preview]');
  await joining.waitForSelector('button[name=use][value^="primary:"]');
  assert.match(await joining.textContent('section[aria-labelledby=contrast-title]'), /Too low/);
  const suggestion = (await joining.getAttribute('button[name=use][value^="primary:"]', 'value')).slice('primary:'.length);
  await joining.click('button[name=use][value^="primary:"]');
  await joining.waitForFunction((hex) => document.querySelector('#primary').value === hex, suggestion);
  await checkPage(joining, 'console-theme-new');
  await Promise.all([joining.waitForURL(/done=created/), joining.click('button[name=intent][value=save]')]);
  assert.equal(await joining.inputValue('#primary'), suggestion);
  await checkPage(joining, 'console-theme');
  // Its small logo: a PNG file chosen in the form, then shown as set.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  await joining.setInputFiles('#logo-small', { name: 'logo.png', mimeType: 'image/png', buffer: png });
  await Promise.all([joining.waitForURL(/done=logo/), joining.click('form[action$="/logos/small"] button[type=submit]')]);
  assert.match(await joining.textContent('section[aria-labelledby=logos-title]'), /A PNG logo is set/);
  await checkPage(joining, 'console-theme-logo');

  // A template with its own apps, start page and the new theme; its page lists its versions.
  await Promise.all([joining.waitForURL(/\/templates$/), joining.click('nav.tabs a >> text=Templates')]);
  await checkPage(joining, 'console-templates');
  await Promise.all([joining.waitForURL(/\/templates\/new$/), joining.click('main a.button')]);
  await joining.fill('#name', 'Service');
  await joining.getByLabel('Documents', { exact: true }).first().check();
  await joining.getByLabel('Globex look').first().check();
  await checkPage(joining, 'console-template-new');
  await Promise.all([joining.waitForURL(/done=created/), joining.click('main form.stack button[type=submit]')]);
  assert.match(await joining.textContent('main table'), /Current/);
  await checkPage(joining, 'console-template');

  // An API key, made by the owner: its secret shown once with its copy button, then revoked.
  await Promise.all([joining.waitForURL(/\/keys$/), joining.click('nav.tabs a >> text=API keys')]);
  await joining.fill('main form.stack #name', 'ERP sync');
  await joining.click('main form.stack button[type=submit]');
  await joining.waitForSelector('#secret-key');
  assert.match(await joining.inputValue('#secret-key'), /^porch_sk_/);
  assert.equal(await joining.isVisible('button[data-copy=secret-key]'), true, 'the script shows the copy button');
  await checkPage(joining, 'console-key-made');
  await Promise.all([joining.waitForURL(/done=revoked/), joining.click('main table button.link-button')]);
  assert.match(await joining.textContent('main table'), /Revoked/);
  await checkPage(joining, 'console-keys');

  // A webhook endpoint (its secret shown once), turned off and deleted; the tenant's emails.
  await Promise.all([joining.waitForURL(/\/webhooks$/), joining.click('nav.tabs a >> text=Webhooks')]);
  await joining.fill('#url', 'https://desk.example.test/porch');
  await joining.click('main form.stack button[type=submit]');
  await joining.waitForSelector('#signing-secret');
  assert.match(await joining.inputValue('#signing-secret'), /^porch_whsec_/);
  await checkPage(joining, 'console-webhook-added');
  await Promise.all([joining.waitForURL(/done=off/), joining.click('main table form[action$=switch] button')]);
  await checkPage(joining, 'console-webhooks');
  await Promise.all([joining.waitForURL(/done=deleted/), joining.click('main table form[action$=delete] button')]);
  await Promise.all([joining.waitForURL(/\/emails$/), joining.click('nav.tabs a >> text=Emails')]);
  assert.match(await joining.textContent('main table'), new RegExp(owner));
  await checkPage(joining, 'console-emails');

  // The tenant's own settings: renamed by its owner (the plan is the operator's, shown read only).
  await Promise.all([joining.waitForURL(/\/settings$/), joining.click('nav.tabs a >> text=Settings')]);
  await joining.fill('#name', 'Console Test Group');
  await Promise.all([joining.waitForURL(/done=saved/), joining.click('main form.stack button[type=submit]')]);
  assert.match(await joining.textContent('main h1'), /Console Test Group/);
  await checkPage(joining, 'console-settings');

  // The audit log names who changed what; filtered to the owner's own changes.
  await Promise.all([joining.waitForURL(/\/audit$/), joining.click('nav.tabs a >> text=Audit log')]);
  assert.match(await joining.textContent('main table'), /api_key\.revoke/);
  await joining.selectOption('#who', { label: 'Owen Owner' });
  await Promise.all([joining.waitForURL(/who=staff/), joining.click('main form.filters button')]);
  assert.match(await joining.textContent('main table'), /theme\.create[\s\S]*portal\.create/);
  await checkPage(joining, 'console-audit');

  // HubSpot's settings: registration by list, a consent text, the portal off (its branded
  // 503) and on again.
  await Promise.all([joining.waitForURL(/\/portals$/), joining.click('nav.tabs a >> text=Portals')]);
  await checkPage(joining, 'console-portals');
  await Promise.all([joining.waitForURL(/\/portals\/[0-9a-f-]+$/), joining.click('main table a >> nth=0')]);
  await checkPage(joining, 'console-portal');
  const portalAddress = await joining.textContent('main p code');
  // "View as": the portal as a member sees it, through a link to its own host.
  await joining.click('section[aria-labelledby=view-as-title] button');
  await joining.waitForSelector('section[aria-labelledby=view-as-title] a.button');
  const previewUrl = await joining.getAttribute('section[aria-labelledby=view-as-title] a.button', 'href');
  const previewing = await browser().newContext();
  const preview = await previewing.newPage();
  await preview.goto(previewUrl);
  await Promise.all([preview.waitForNavigation(), preview.click('main button[type=submit]')]);
  assert.match(await preview.textContent('body'), /Preview: you are seeing this portal as/);
  await previewing.close();
  // A *.localhost domain is connected at once, and the portal answers on it.
  const domain = `${slug}.localhost`;
  await joining.fill('#hostname', domain);
  await Promise.all([joining.waitForURL(/done=domain/), joining.click('section[aria-labelledby=domains-title] form.stack button')]);
  assert.match(await joining.textContent('section[aria-labelledby=domains-title] table'), /Active/);
  await checkPage(joining, 'console-portal-domains');
  const onDomain = await theirs.newPage();
  assert.equal((await onDomain.goto(`http://${domain}:${port}/sign-in`)).status(), 200, 'the portal answers on its new domain');
  await onDomain.close();
  await joining.check('#join_policy-lists');
  await joining.fill('#consent_text', 'We keep your name and email to answer your requests.');
  await joining.fill('#idle_timeout_minutes', 'soon');
  await joining.click('main form.stack[action$=settings] button[type=submit]');
  assert.match(await joining.textContent('.error-summary'), /Enter a whole number/);
  assert.equal(await joining.inputValue('#consent_text'), 'We keep your name and email to answer your requests.');
  await checkPage(joining, 'console-portal-error');
  await joining.fill('#idle_timeout_minutes', '30');
  await Promise.all([joining.waitForURL(/done=saved/), joining.click('main form.stack[action$=settings] button[type=submit]')]);
  assert.match(await joining.textContent('.notice'), /Settings saved/);
  assert.equal(await joining.isChecked('#join_policy-lists'), true);
  // Everyone at a partner's domain may register.
  await joining.fill('#entry', 'partner.example');
  await Promise.all([joining.waitForURL(/done=listed/), joining.click('section[aria-labelledby=list-title] form.stack button')]);
  assert.match(await joining.textContent('section[aria-labelledby=list-title] table'), /partner\.example/);
  await checkPage(joining, 'console-portal-list');
  await Promise.all([joining.waitForURL(/done=off/), joining.click('section.switch button')]);
  const visitor = await theirs.newPage();
  assert.equal((await visitor.goto(portalAddress)).status(), 503, 'a portal switched off answers its branded 503');
  await checkPage(visitor, 'console-portal-switched-off');
  await Promise.all([joining.waitForURL(/done=on/), joining.click('section.switch button')]);
  assert.equal((await visitor.goto(portalAddress)).status(), 200);
  // The portal's set-up after the wizard: its menu's order and a link of the provider's own.
  await Promise.all([joining.waitForURL(/\/setup$/), joining.click('nav[aria-labelledby=more-settings-title] a[href$="/setup"]')]);
  await checkPage(joining, 'console-portal-setup');
  await joining.fill('#link-0-url', 'http://status.example.com/');
  await joining.fill('#link-0-label-en', 'Status');
  await joining.click('main form.stack button[type=submit]');
  assert.match(await joining.textContent('.error-summary'), /must be an absolute https:\/\/ URL/);
  assert.equal(await joining.inputValue('#link-0-label-en'), 'Status', 'what was typed is kept');
  await checkPage(joining, 'console-portal-setup-error');
  await joining.fill('#link-0-url', 'https://status.example.com/');
  await Promise.all([joining.waitForURL(/done=saved/), joining.click('main form.stack button[type=submit]')]);
  assert.match(await joining.textContent('.notice'), /Set-up saved/);
  const home = await theirs.newPage();
  await home.goto(portalAddress);
  assert.match(await home.textContent('header'), /Status/, "the provider's link is in the portal's menu");
  await home.close();
  // Its ticket settings: everyone sees their company's tickets, and the form asks for a priority.
  await joining.goto(joining.url().replace(/\/setup.*$/, ''));
  await Promise.all([joining.waitForURL(/\/tickets$/), joining.click('nav[aria-labelledby=more-settings-title] a[href$="/tickets"]')]);
  await checkPage(joining, 'console-portal-tickets');
  await joining.check('#visibility-1');
  await joining.selectOption('#field-0-property', 'priority');
  await joining.fill('#field-0-label-en', 'How urgent is it?');
  await Promise.all([joining.waitForURL(/done=saved/), joining.click('main form.stack button[type=submit]')]);
  assert.match(await joining.textContent('.notice'), /Ticket settings saved/);
  assert.equal(await joining.isChecked('#visibility-1'), true);
  assert.equal(await joining.inputValue('#field-0-label-en'), 'How urgent is it?');
  await checkPage(joining, 'console-portal-tickets-saved');
  // Single sign-on: what to give the identity provider's admin, and removing a connection.
  const portalPath = new URL(joining.url()).pathname.replace(/\/tickets$/, '');
  await call('POST', `/tenants/${tenantId}${portalPath.replace(/^\/tenants\/[^/]+/, '')}/sso-connections`, {
    name: 'Globex sign-in', protocol: 'jwt', jwt: { algorithm: 'HS256' }, secret: 'generate',
  });
  await joining.goto(new URL(`${portalPath}/sso`, joining.url()).href);
  assert.match(await joining.inputValue('#connection-0-jwt_url'), /\/sso\/jwt$/);
  await checkPage(joining, 'console-portal-sso');
  await joining.click('main details summary');
  await Promise.all([joining.waitForURL(/done=deleted/), joining.click('main details form button')]);
  assert.match(await joining.textContent('.notice'), /Connection deleted/);
  await checkPage(joining, 'console-portal-sso-empty');
  // Single sign-on for the staff: the owner connects the company's provider.
  await Promise.all([joining.waitForURL(/\/staff$/), joining.click('nav.tabs a >> text=Staff')]);
  await Promise.all([joining.waitForURL(/\/staff\/sso$/), joining.click('main a[href$="/staff/sso"]')]);
  await checkPage(joining, 'console-staff-sso');
  await joining.fill('#issuer', 'https://login.example.com');
  await joining.fill('#client_id', 'porch-console');
  await joining.fill('#domains', `${slug}.example`);
  await joining.click('main form.stack button[type=submit]');
  assert.match(await joining.textContent('.error-summary'), /client_secret|is required/);
  await checkPage(joining, 'console-staff-sso-error');
  await joining.fill('#client_secret', 'the secret the provider gave porch');
  await Promise.all([joining.waitForURL(/done=saved/), joining.click('main form.stack button[type=submit]')]);
  assert.match(await joining.textContent('.notice'), /Single sign-on saved/);
  assert.match(await joining.inputValue('#redirect_uri'), /\/sso\/[0-9a-f-]+\/callback$/, 'the callback to give the provider');
  await checkPage(joining, 'console-staff-sso-saved');
  await theirs.close();

  assert.deepEqual(problems, []);
  await context.close();
});
