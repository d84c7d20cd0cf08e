// Real-browser walk through the recipients' tickets: sign in -> list -> search -> open ->
// reply with an attachment -> the agent API sees the reply and the file -> an agent replies
// -> the recipient sees it and got the email. Debian's Chromium driven by playwright-core
// against `wrangler dev` (started by scripts/test; PORCH_BASE_PORT and PORCH_E2E_TOKEN set).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, browser, call, port, token } from './harness.mjs';

// A 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);


test('a recipient finds, opens and answers a ticket with a file, and sees the agent reply', async () => {
  const slug = `desk-${process.pid}-${Date.now()}`;
  const origin = `http://${slug}.localhost:${port}`;
  const { tenant } = await call('POST', '/tenants', { slug, name: 'Desk Ltd' });
  const t = `/tenants/${tenant.id}`;
  const { portal } = await call('POST', `${t}/portals`, { slug, name: 'Desk Portal' });
  await call('POST', `${t}/portals/${portal.id}/domains`, { hostname: `${slug}.localhost` });
  const { pipeline } = await call('POST', `${t}/pipelines`, {
    name: 'Support', stages: [{ name: 'New' }, { name: 'Waiting on you', notify_requester: true }, { name: 'Solved', closed: true }],
  });

  // Join by invitation: signed in on the start page.
  const email = `ticket-walker-${Date.now()}@example.com`;
  const { url } = await call('POST', `${t}/portals/${portal.id}/invitations`, { send_email: false });
  const context = await browser().newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
  await page.goto(url);
  await page.fill('input[name=name]', 'Tess');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', 'a long ticket passphrase');
  await Promise.all([page.waitForURL(`${origin}/`), page.click('main button[type=submit]')]);

  // Two tickets the provider opened on Tess's behalf (after phone calls).
  const { users } = await call('GET', `${t}/portals/${portal.id}/users`);
  const requester = { portal_id: portal.id, account_id: users[0].id };
  await call('POST', `${t}/tickets`, { subject: 'Hydraulic pump whines', description: 'Loud whine at full load.', pipeline_id: pipeline.id, requester });
  const { ticket } = await call('POST', `${t}/tickets`, { subject: 'Boom drifts down', description: 'The boom sinks overnight.', pipeline_id: pipeline.id, requester });

  // List -> search -> open.
  await page.click('a[href="/tickets"]');
  const list = await page.textContent('main');
  assert.match(list, /Hydraulic pump whines/);
  assert.match(list, /Boom drifts down/);
  await page.fill('input[name=q]', 'overnight');
  await Promise.all([page.waitForURL(/q=overnight/), page.click('form[role=search] button[type=submit]')]);
  const found = await page.textContent('main');
  assert.match(found, /Boom drifts down/);
  assert.doesNotMatch(found, /Hydraulic pump whines/);
  await Promise.all([page.waitForURL(`${origin}/tickets/${ticket.number}`), page.click(`a[href="/tickets/${ticket.number}"]`)]);
  assert.match(await page.textContent('main'), /The boom sinks overnight\./);

  // Reply with a photo.
  await page.fill('textarea[name=body]', 'Photo of the cylinder attached.');
  await page.setInputFiles('input[name=files]', { name: 'cylinder.png', mimeType: 'image/png', buffer: PNG });
  await Promise.all([page.waitForURL(new RegExp(`/tickets/${ticket.number}#m-`)), page.click('section.reply button[type=submit]')]);
  const afterReply = await page.textContent('main');
  assert.match(afterReply, /Photo of the cylinder attached\./);
  assert.match(afterReply, /cylinder\.png/);

  // The agent API sees the reply and its file, byte for byte.
  const seen = (await call('GET', `${t}/tickets/${ticket.id}`)).ticket;
  const reply = seen.messages.find((m) => m.body === 'Photo of the cylinder attached.');
  assert.ok(reply, JSON.stringify(seen.messages));
  assert.equal(reply.author.kind, 'recipient');
  assert.equal(reply.attachments.length, 1);
  assert.equal(reply.attachments[0].filename, 'cylinder.png');
  const download = await fetch(`${api}${t}/tickets/${ticket.id}/attachments/${reply.attachments[0].id}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(download.status, 200);
  assert.match(download.headers.get('content-disposition'), /^attachment;/);
  assert.deepEqual(Buffer.from(await download.arrayBuffer()), PNG);

  // An agent answers; Tess sees it on the page and got it by email with a link to the ticket.
  await call('POST', `${t}/tickets/${ticket.id}/messages`, { body: 'Thanks, a technician comes Tuesday.', author_name: 'Sam' });
  await page.reload();
  const answered = await page.textContent('main');
  assert.match(answered, /a technician comes Tuesday/);
  assert.match(answered, /Sam/);
  const mailbox = await context.newPage();
  await mailbox.goto(`http://127.0.0.1:${port}/_dev/mailbox`);
  const link = mailbox.locator(`a[href="${origin}/tickets/${ticket.number}"]`).first();
  assert.equal(await link.count(), 1, 'the reply email links the ticket');

  assert.deepEqual(problems, [], 'no script errors or CSP violations');
  await context.close();
});
