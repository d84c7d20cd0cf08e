// Real-browser walk through the Trackunit-style demo portal (seed/demo-fleet.sql): the seeded
// demo recipient of Northwind Construction signs in, lands on the template's start page (the
// fleet), opens an asset, its documents, its activity and its utilisation report. Runs against `wrangler dev`
// with the demo seed (PORCH_BASE_PORT set).
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, port } from './harness.mjs';

const origin = `http://northwind.localhost:${port}`;
const asset = 'NR-EX-1001';

test('a Northwind recipient signs in to the fleet and follows an asset to its documents, activity and utilisation', async () => {
  const context = await browser().newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
  page.on('pageerror', (error) => problems.push(String(error)));

  await page.goto(`${origin}/sign-in`);
  await page.fill('input[name=email]', 'demo@northwind.example');
  await page.fill('input[name=password]', 'northwind-demo');
  await Promise.all([page.waitForURL(`${origin}/equipment`), page.click('main button[type=submit]')]);

  // The fleet: the seeded dozens of machines shared now (40, less the one returned for good).
  const machines = await page.$$eval('table.fleet tbody tr', (rows) => rows.length);
  assert.equal(machines, 39, 'the machines shared with Northwind now');
  const nav = await page.$$eval('nav a', (links) => links.map((a) => a.getAttribute('href')));
  assert.deepEqual(nav.slice(1, 4), ['/equipment', '/activity', '/reports'], 'the template\'s navigation order');

  await Promise.all([page.waitForURL(`${origin}/equipment/${asset}`), page.click(`a[href="/equipment/${asset}"]`)]);
  assert.equal(await page.textContent('h1'), 'Excavator 21 t #1');
  assert.ok(await page.$$eval('table.activity tbody tr', (rows) => rows.length) > 0, 'recent activity');

  // The machine's documents: its seeded quick guide, downloaded through the permission check.
  await Promise.all([
    page.waitForURL(`${origin}/documents?asset=${asset}`),
    page.click(`a[href="/documents?asset=${asset}"]`),
  ]);
  const guide = page.locator('a[download]', { hasText: 'quick guide' });
  const [download] = await Promise.all([page.waitForEvent('download'), guide.click()]);
  assert.equal(download.suggestedFilename(), 'cat-320gc-quick-guide.pdf');
  const saved = await readFile(await download.path());
  assert.deepEqual(saved, await readFile(new URL('../../seed/demo-manual-320gc.pdf', import.meta.url)), 'the stored file itself');
  await page.goBack();

  await Promise.all([
    page.waitForURL(`${origin}/activity?asset=${asset}`),
    page.click(`a[href="/activity?asset=${asset}"]`),
  ]);
  const rows = await page.$$eval('table.activity tbody tr td:nth-child(2) a', (links) => links.map((a) => a.getAttribute('href')));
  assert.equal(rows.length, 50, 'a full first page of months of activity');
  assert.ok(rows.every((href) => href === `/equipment/${asset}`), 'only this machine\'s events');
  assert.match(await page.textContent('p.hint'), /Europe\/Copenhagen/, 'times in the portal\'s time zone');
  await Promise.all([page.waitForURL(/after=/), page.click('a[rel=next]')]);
  assert.equal(await page.$$eval('table.activity tbody tr', (r) => r.length), 50, 'an older page');

  await Promise.all([page.waitForURL(`${origin}/reports`), page.click('nav a[href="/reports"]')]);
  await page.selectOption('select[name=asset]', asset);
  await Promise.all([page.waitForURL(/\/reports\?asset=/), page.click('form.filters button[type=submit]')]);
  assert.ok(await page.$$eval('svg.chart rect.bar', (bars) => bars.length) > 0, 'the chart is drawn');
  const hours = await page.$$eval('table.report tbody tr td:nth-child(2)', (cells) =>
    cells.map((cell) => Number.parseFloat(cell.textContent.replace(',', '.'))));
  assert.ok(hours.length >= 28, `a row per day: ${hours.length}`);
  assert.ok(hours.filter((h) => h > 0).length >= 10, `working days have operating hours: ${hours}`);
  assert.deepEqual(problems, [], 'no console errors or CSP violations');
  await context.close();
});
