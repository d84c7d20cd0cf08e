// The tour of every recipient page: each one, in the states a recipient meets it (empty, filled,
// with a form's errors), passes `checkPage` at 320, 390 and 1280 px: no horizontal overflow,
// no axe-core violation of WCAG 2.1 A/AA, a screenshot in the output folder. Two portals: the
// seeded English tickets portal (Acme, shared by its customers) and the seeded Danish fleet
// portal (Northwind Construction's, with Nordic Rentals' equipment). Each page is a subtest, so
// one page failing does not hide the next. Debian's Chromium driven by playwright-core against
// `wrangler dev` with the demo seed (started by scripts/test; PORCH_BASE_PORT and
// PORCH_E2E_TOKEN set).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { api, browser, call, checkPage, port, token } from './harness.mjs';

// A 1x1 PNG, and a small PDF from the seed: the files in a conversation.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = readFileSync(new URL('../../seed/demo-rental-agreement.pdf', import.meta.url));
// The PDF padded to 11 MiB: over the 10 MiB one file may be.
const BIG_PDF = Buffer.concat([PDF, Buffer.alloc(11 * 1024 * 1024 - PDF.length, 0x20)]);

// The seeded demo tenants (seed/demo.sql, seed/demo-fleet.sql).
const ACME = {
  tenant: 'a0000000-0000-4000-8000-000000000001',
  portal: 'a0000000-0000-4000-8000-0000000000f1',
  theme: 'a0000000-0000-4000-8000-0000000000e1',
  customer: 'a0000000-0000-4000-8000-0000000000c1',
  pipeline: 'a0000000-0000-4000-8000-0000000000a1',
  solved: 'a0000000-0000-4000-8000-0000000000d3',
  origin: `http://acme.localhost:${port}`,
};
const NORTHWIND = {
  tenant: 'b0000000-0000-4000-8000-000000000001',
  portal: 'b0000000-0000-4000-8000-0000000000f1',
  customer: 'b0000000-0000-4000-8000-0000000000c1',
  pipeline: 'b0000000-0000-4000-8000-0000000000a1',
  origin: `http://northwind.localhost:${port}`,
  asset: 'NR-EX-1001',
};
const run = `${process.pid}-${Date.now()}`;
const PASSWORD = 'a long tour passphrase';

/** A fresh browser context and page that remember the page's script errors and CSP reports
 * (not the console's note of a page's error status: the error pages are under test). */
async function visitor(options) {
  const context = await browser().newContext(options);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource: the server responded with a status of')) {
      problems.push(message.text());
    }
  });
  return { context, page, problems };
}

/** The last subtest of a tour: nothing went wrong in the page's script or its CSP. */
async function noScriptErrors(t, problems) {
  await t.test('no page had a script error or a CSP violation', () => assert.deepEqual(problems, []));
}

/** Runs `action` (a click or a submit) and waits for the document it leads to. */
async function navigating(page, action) {
  await Promise.all([page.waitForEvent('load'), action()]);
}

/** Submits the form posting to `action` with what is in it, past the browser's own checks
 * (`required`, `minlength`), as a person whose browser lets it through would: the server's
 * answer to a blank or short field is the page under test. */
async function submit(page, action) {
  const form = page.locator(`form[action="${action}"]`).first();
  await form.evaluate((f) => { f.noValidate = true; });
  await navigating(page, () => form.locator('button[type=submit], input[type=submit]').first().click());
}

/** The newest link to `origin` + `path`… in an email to `to`, from the dev mailbox. */
async function emailedLink(to, origin, path) {
  const pattern = new RegExp(`${origin.replace(/[.]/g, '\\.')}${path}[^\\s"<]+`);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const { emails } = await call('GET', '/dev/mailbox');
    const link = emails.filter((e) => e.to === to).map((e) => e.text.match(pattern)?.[0]).find(Boolean);
    if (link) return link;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no email to ${to} with a link to ${origin}${path}`);
}

/** A message from an agent with a file, as the agent API takes files (multipart). */
async function agentReply(tenant, ticket, body, file) {
  const form = new FormData();
  form.append('body', body);
  form.append('author_name', 'Sam from support');
  form.append('files', new Blob([file.data], { type: file.type }), file.name);
  const response = await fetch(`${api}/tenants/${tenant}/tickets/${ticket}/messages`, {
    method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form,
  });
  assert.ok(response.ok, `agent reply: ${response.status} ${await response.text()}`);
}

/** `t.test` that opens `path` (unless it is null: the page is already there), makes sure it is
 * the page meant (its HTTP status: a step gone wrong shows up here, not as a check of some
 * other page) and checks it. */
function checker(t, page, origin, prefix) {
  let status = 0;
  page.on('response', (response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) status = response.status();
  });
  return async (sentence, path, name, expected = 200) => {
    if (path !== null) await page.goto(`${origin}${path}`);
    await t.test(sentence, async () => {
      assert.equal(status, expected, `${prefix}-${name}: ${page.url()} answered ${status}`);
      await checkPage(page, `${prefix}-${name}`);
    });
  };
}

/** Opens the provider's "view as" link for `as` (an account or a customer) and checks the
 * link's page, the page it lands on and `more` ([sentence, path, name]), each with the
 * preview banner; answers the script errors and CSP reports seen. */
async function viewAs(t, where, locale, as, prefix, more) {
  const { context, page, problems } = await visitor({ locale });
  const check = checker(t, page, where.origin, prefix);
  const { preview } = await call('POST', `/tenants/${where.tenant}/portals/${where.portal}/previews`, as);
  const path = new URL(preview.url).pathname;
  await check('the preview link asks before it opens the portal', path, 'preview');
  await submit(page, path);
  await check('the portal in a preview carries the preview banner', null, 'preview-start');
  for (const [sentence, next, name] of more) await check(sentence, next, name);
  await context.close();
  return problems;
}

/** Chooses `language` (its code) in the header's language menu; on the page it leads back to. */
async function chooseLanguage(page, language) {
  const menu = page.locator('form.language');
  await menu.locator('select[name=language]').selectOption(language);
  await navigating(page, () => menu.locator('button[type=submit]').click());
}

/** Joins `portal` through an invitation link as an admin of `customer`; on the page it lands on. */
async function acceptInvitation(page, check, where, { name, email, customer }) {
  const { url } = await call('POST', `/tenants/${where.tenant}/portals/${where.portal}/invitations`,
    { role: 'admin', customer_id: customer, send_email: false });
  const action = new URL(url).pathname;
  await check('the invitation page shows the terms, the consent text and the form to join', action, 'invitation');
  await submit(page, action);
  await check('the invitation form says what is missing when sent empty', null, 'invitation-errors', 422);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  for (const box of await page.locator('input[type=checkbox]').all()) await box.check();
  await navigating(page, () => page.locator(`form[action="${action}"] button[type=submit]`).click());
  const { users } = await call('GET', `/tenants/${where.tenant}/portals/${where.portal}/users`);
  return users.find((u) => u.email === email);
}

test('every page of the English tickets portal reflows at 320, 390 and 1280 px and has no WCAG 2.1 A/AA violation', async (t) => {
  const { origin } = ACME;
  const at = `/tenants/${ACME.tenant}`;
  // Company sign-in on the portal (a JWT connection needs no identity provider running), the
  // organisation's tickets for people of a customer, the satisfaction question on closed ones,
  // the provider's own links in the menu.
  await call('PATCH', `${at}/portals/${ACME.portal}`, { nav_links: [
    { url: 'https://status.acme.example/', labels: { en: 'Service status' } },
    { url: 'https://shop.acme.example/parts', labels: { en: 'Spare parts shop' } },
  ] });
  await call('POST', `${at}/portals/${ACME.portal}/sso-connections`,
    { name: 'Company app', protocol: 'jwt', jwt: { algorithm: 'HS256' }, secret: 'generate', domains: [{ domain: `sso-${run}.example` }] });
  await call('PUT', `${at}/portals/${ACME.portal}/ticket-settings`, { satisfaction: true, visibility: 'organisation' });

  const { context, page, problems } = await visitor({ locale: 'en-GB' });
  const check = checker(t, page, origin, 'acme');

  // Signed out.
  await check('the start page greets a visitor', '/', 'start');
  await check('the sign-in page offers password and company sign-in', '/sign-in', 'sign-in');
  await submit(page, '/sign-in');
  await check('the sign-in form sent empty says what is wrong', null, 'sign-in-errors', 401);
  await check('the company sign-in page asks for a work email', '/sso', 'sso');
  await page.fill('input[name=email]', `nobody@unknown-${run}.example`);
  await submit(page, '/sso');
  await check('the company sign-in page says when no company signs in with that email', null, 'sso-errors', 422);
  await page.goto(`${origin}/sign-in`);
  await page.locator('main form').first().evaluate((form) => {
    // What a company's app would post: a token this portal cannot verify.
    form.action = '/sso/jwt';
    form.noValidate = true;
    const field = form.ownerDocument.createElement('input');
    Object.assign(field, { type: 'hidden', name: 'jwt', value: 'not.a.token' });
    form.append(field);
  });
  await navigating(page, () => page.locator('main form button[type=submit]').first().click());
  await check('a company sign-in that fails says so with a reference', null, 'sso-failed', 403);
  await check('the registration page explains how to join', '/register', 'register');
  await submit(page, '/register');
  await check('the registration form sent empty says what is missing', null, 'register-errors', 422);
  const registered = `tour-register-${run}@example.com`;
  await page.fill('input[name=name]', 'Rita Register');
  await page.fill('input[name=email]', registered);
  await submit(page, '/register');
  await check('the registration asks to check the email', null, 'register-sent');
  const verify = await emailedLink(registered, origin, '/verify/');
  await check('the email confirmation page asks for a password and the terms', new URL(verify).pathname, 'verify');

  // Invited as an admin of Globex: signed in.
  const email = `tour-${run}@globex.example`;
  const account = await acceptInvitation(page, check, ACME,
    { name: 'Tess Tour', email, customer: ACME.customer });
  assert.ok(account, 'the invitation made an account');
  await check('the start page greets the person signed in', null, 'home');
  await chooseLanguage(page, 'da');
  assert.equal(await page.locator('html').getAttribute('lang'), 'da', 'the menu switched the page to Danish');
  await check('the start page in Danish, chosen in the header\'s language menu', null, 'home-danish');
  await chooseLanguage(page, 'en');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en', 'and back to English');
  await check('the ticket list says when there are no tickets yet', '/tickets', 'tickets-empty');

  // Tickets: a colleague's, two of Tess's, one with a conversation and files, one solved.
  const requester = { portal_id: ACME.portal, account_id: account.id };
  const ticket = (subject, description, extra = {}) => call('POST', `${at}/tickets`,
    { subject, description, pipeline_id: ACME.pipeline, ...extra }).then((answer) => answer.ticket);
  await ticket('Printer on floor 2 jams', 'Reported by a colleague.', { customer_id: ACME.customer });
  const talk = await ticket('Invoices export stops halfway through the year', 'The CSV export of invoices stops at June.', { requester });
  const solved = await ticket('Password reset email never arrives', 'Nothing in the inbox or spam.', { requester });
  await agentReply(ACME.tenant, talk.id, 'Could you send the export you got? Here is what we see.', { name: 'what-we-see.png', type: 'image/png', data: PNG });
  await call('PATCH', `${at}/tickets/${solved.id}`, { stage_id: ACME.solved });

  await check('the ticket list shows my tickets with the filters', '/tickets', 'tickets-mine');
  await check('the ticket list shows the organisation\'s tickets', '/tickets?scope=organisation', 'tickets-organisation');
  await check('the ticket list filtered by status, sort and search', '/tickets?status=open&sort=created&q=export', 'tickets-filtered');
  await check('the ticket list says when a search finds nothing', `/tickets?q=nothing-${run}`, 'tickets-none-found');

  await check('a ticket shows its conversation with an agent\'s file', `/tickets/${talk.number}`, 'ticket');
  await page.fill('textarea[name=body]', 'Here is the export, it stops at June.');
  await page.setInputFiles('input[name=files]', { name: 'invoices-export.pdf', mimeType: 'application/pdf', buffer: PDF });
  await submit(page, `/tickets/${talk.number}/reply`);
  await check('a ticket shows the recipient\'s reply with its file', null, 'ticket-replied');
  await submit(page, `/tickets/${talk.number}/reply`);
  await check('a reply sent empty says what is missing', null, 'ticket-reply-errors', 422);
  const kept = 'The full export, all twelve months.';
  await page.fill('textarea[name=body]', kept);
  await page.setInputFiles('input[name=files]', { name: 'invoices-full.pdf', mimeType: 'application/pdf', buffer: BIG_PDF });
  await submit(page, `/tickets/${talk.number}/reply`);
  await check('a reply refused for a file over the cap keeps its text and names the file', null, 'ticket-reply-too-large', 422);
  assert.equal(await page.inputValue('textarea[name=body]'), kept);
  assert.match(await page.locator('main').innerText(), /invoices-full\.pdf \(11\sMB\)/);

  await check('a solved ticket asks how satisfied the requester is', `/tickets/${solved.number}`, 'ticket-rating');
  await submit(page, `/tickets/${solved.number}/rating`);
  await check('the rating sent without a score says what is missing', null, 'ticket-rating-errors', 422);
  await page.goto(`${origin}/tickets/${solved.number}`);
  await page.locator('input[name=score]').last().check();
  await submit(page, `/tickets/${solved.number}/rating`);
  await check('a rated ticket thanks the requester', null, 'ticket-rated');

  await check('the support form asks for a subject, a description and the priority', '/tickets/new', 'support-form');
  await submit(page, '/tickets/new');
  await check('the support form sent empty says what is missing and keeps the rest', null, 'support-form-errors', 422);

  await check('the users page lists the organisation\'s people and invitations for an admin', '/users', 'users');
  await submit(page, '/users/invite');
  await check('the invitation form on the users page says what is missing', null, 'users-errors', 422);

  await check('an unknown address answers the branded not-found page', `/no-such-page-${run}`, 'not-found', 404);

  // New terms on a portal of Acme's own for this (Acme's people elsewhere in the tour are not
  // held on the consent page): the next page a person opens asks them to agree again.
  const again = `tour-terms-${run}`;
  const { portal: termed } = await call('POST', `${at}/portals`,
    { slug: again, name: 'Acme Rentals', theme_id: ACME.theme, terms_text: 'Return the machines clean.' });
  await call('POST', `${at}/portals/${termed.id}/domains`, { hostname: `${again}.localhost` });
  const agreeing = await visitor({ locale: 'en-GB' });
  const termedAt = { tenant: ACME.tenant, portal: termed.id, origin: `http://${again}.localhost:${port}` };
  const checkAgain = checker(t, agreeing.page, termedAt.origin, 'acme');
  // Joined without checking its pages again (the invitation's are checked above).
  const join = async (_sentence, path) => { if (path !== null) await agreeing.page.goto(`${termedAt.origin}${path}`); };
  assert.ok(await acceptInvitation(agreeing.page, join, termedAt,
    { name: 'Connie Consent', email: `tour-terms-${run}@globex.example`, customer: ACME.customer }));
  await call('PATCH', `${at}/portals/${termed.id}`, { terms_text: 'Return the machines clean and fuelled.' });
  await checkAgain('a change of terms asks to agree again before the page asked for', '/', 'consent-again');
  assert.equal(new URL(agreeing.page.url()).pathname, '/consent');
  await agreeing.page.locator('input[name=accept_terms]').check();
  await navigating(agreeing.page, () => agreeing.page.locator('form[action="/consent"] button[value=accept]').click());
  assert.equal(new URL(agreeing.page.url()).pathname, '/', 'agreed: on to the page asked for');
  await agreeing.context.close();
  await check('a malformed filter answers the branded bad-request page', '/tickets?status=bogus', 'bad-request', 400);

  await navigating(page, () => page.locator('form[action="/sign-out"] button').click());
  await check('the signed-out page says so', null, 'signed-out');

  // A forgotten password.
  await check('the forgotten-password page asks for the email', '/forgot-password', 'forgot-password');
  await submit(page, '/forgot-password');
  await check('the forgotten-password form sent empty says what is missing', null, 'forgot-password-errors', 422);
  await page.fill('input[name=email]', email);
  await submit(page, '/forgot-password');
  await check('the forgotten-password page says a link is on its way', null, 'forgot-password-sent');
  const reset = new URL(await emailedLink(email, origin, '/reset-password/')).pathname;
  await check('the new-password page asks for a password', reset, 'reset-password');
  await page.fill('input[name=password]', 'short');
  await submit(page, reset);
  await check('the new-password form says when the password is too short', null, 'reset-password-errors', 422);
  await context.close();

  // The provider's "view as": the portal as Tess sees it, with its banner.
  const preview = await viewAs(t, ACME, 'en-GB', { account_id: account.id }, 'acme',
    [['the ticket list in a preview carries the banner', '/tickets', 'preview-tickets']]);

  // A portal the provider switched off, in Acme's theme.
  const slug = `tour-off-${run}`;
  const { portal: off } = await call('POST', `${at}/portals`, { slug, name: 'Acme Archive', theme_id: ACME.theme });
  await call('POST', `${at}/portals/${off.id}/domains`, { hostname: `${slug}.localhost` });
  await call('PATCH', `${at}/portals/${off.id}`, { enabled: false });
  const disabled = await visitor({ locale: 'en-GB' });
  await checker(t, disabled.page, `http://${slug}.localhost:${port}`, 'acme')('a disabled portal says it is not available', '/', 'disabled', 503);
  await disabled.context.close();
  await noScriptErrors(t, [...problems, ...preview, ...disabled.problems]);
});

test('every page of the Danish fleet portal reflows at 320, 390 and 1280 px and has no WCAG 2.1 A/AA violation', async (t) => {
  const { origin, asset } = NORTHWIND;
  const at = `/tenants/${NORTHWIND.tenant}`;
  const { context, page, problems } = await visitor({ locale: 'da-DK' });
  const check = checker(t, page, origin, 'northwind');

  await check('the start page greets a visitor in Danish', '/', 'start');
  await check('the sign-in page is in Danish', '/sign-in', 'sign-in');
  await submit(page, '/sign-in');
  await check('the sign-in form sent empty says what is wrong in Danish', null, 'sign-in-errors', 401);
  await check('the forgotten-password page is in Danish', '/forgot-password', 'forgot-password');

  const email = `tour-${run}@northwind.example`;
  const account = await acceptInvitation(page, check, NORTHWIND,
    { name: 'Niels Tour', email, customer: NORTHWIND.customer });
  assert.ok(account, 'the invitation made an account');
  await check('the fleet lists the machines shared with Northwind', '/equipment', 'fleet');
  await check('the fleet filtered to one depot', '/equipment?group=b0000000-0000-4000-8000-0000000000b1', 'fleet-depot');
  await check('an asset page shows the machine, its hours and recent activity', `/equipment/${asset}`, 'asset');
  await check('the documents list shows the shared documents', '/documents', 'documents');
  await check('the documents of one machine', `/documents?asset=${asset}`, 'asset-documents');
  await check('the activity feed lists the fleet\'s events with filters', '/activity', 'activity');
  await check('the activity of one machine', `/activity?asset=${asset}`, 'asset-activity');
  await check('the fleet report by day has a chart and a table', '/reports', 'report-day');
  await check('the fleet report by week', '/reports?by=week', 'report-week');
  const yearAgo = new Date(Date.now() - 364 * 86_400_000).toISOString().slice(0, 10);
  await check('the fleet report by week over a year', `/reports?by=week&from=${yearAgo}`, 'report-year');
  await check('a machine\'s report by week', `/reports?asset=${asset}&by=week`, 'asset-report-week');
  await check('a report over more than the allowed range says what is wrong', '/reports?from=2020-01-01', 'report-too-long', 400);

  // Tickets, Northwind's people see each other's.
  const requester = { portal_id: NORTHWIND.portal, account_id: account.id };
  const { ticket } = await call('POST', `${at}/tickets`, {
    subject: 'Gravemaskinen lækker hydraulikolie', description: 'Der er en plet under NR-EX-1001 hver morgen.',
    pipeline_id: NORTHWIND.pipeline, requester,
  });
  await agentReply(NORTHWIND.tenant, ticket.id, 'Vi sender en tekniker i morgen. Her er servicerapporten.',
    { name: 'servicerapport.pdf', type: 'application/pdf', data: PDF });
  await check('the ticket list shows my tickets in Danish', '/tickets', 'tickets-mine');
  await check('the ticket list shows Northwind\'s tickets', '/tickets?scope=organisation', 'tickets-organisation');
  await check('a ticket shows its conversation and the agent\'s file in Danish', `/tickets/${ticket.number}`, 'ticket');
  await submit(page, `/tickets/${ticket.number}/reply`);
  await check('a reply sent empty says what is missing in Danish', null, 'ticket-reply-errors', 422);
  await check('the support form is in Danish', '/tickets/new', 'support-form');
  await submit(page, '/tickets/new');
  await check('the support form sent empty says what is missing in Danish', null, 'support-form-errors', 422);
  await check('the users page lists Northwind\'s people for an admin', '/users', 'users');
  await check('an unknown address answers the not-found page in Danish', `/findes-ikke-${run}`, 'not-found', 404);
  await check('a malformed filter answers the bad-request page in Danish', '/equipment?group=bogus', 'bad-request', 400);
  await context.close();

  // The provider's "view as" Northwind Construction.
  const preview = await viewAs(t, NORTHWIND, 'da-DK', { customer_id: NORTHWIND.customer }, 'northwind',
    [['the report in a preview carries the banner', '/reports', 'preview-report']]);
  await noScriptErrors(t, [...problems, ...preview]);
});
