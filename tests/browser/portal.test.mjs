// Real-browser tests of the branded portal: Debian's Chromium driven by playwright-core against
// `wrangler dev` with the demo seed (scripts/test sets PORCH_BASE_PORT and PORCH_E2E_TOKEN).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const port = process.env.PORCH_BASE_PORT;
const token = process.env.PORCH_E2E_TOKEN;
if (!port || !token) throw new Error('PORCH_BASE_PORT and PORCH_E2E_TOKEN must be set (scripts/test sets them)');
const api = `http://127.0.0.1:${port}/api/v1`;
// Screenshots go to a fresh temp dir, never into the repository.
const shots = mkdtempSync(join(tmpdir(), 'porch-portal-shots-'));
console.log(`screenshots: ${shots}`);

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await browser?.close();
});

/**
 * Opens `url` in a fresh context and records every console error (CSP violations are reported
 * there) and uncaught page error, from before the first request.
 */
async function open(url, contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error}`));
  const response = await page.goto(url, { waitUntil: 'load' });
  return { context, page, response, problems };
}

const backgroundOf = (page, selector) =>
  page.$eval(selector, (element) => getComputedStyle(element).backgroundColor);

/** Calls the admin API with the platform token; fails the test on any non-2xx answer. */
async function callApi(method, path, body) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

test('the Acme portal renders branded with its logo, colours and title', async () => {
  const { context, page, response, problems } = await open(`http://acme.localhost:${port}/`);
  try {
    assert.equal(response.status(), 200);
    assert.equal(await page.title(), 'Acme Support Center');
    assert.equal(await backgroundOf(page, '.site-header'), 'rgb(30, 41, 59)', 'header uses the menu colour #1e293b');
    assert.equal(await backgroundOf(page, '.button'), 'rgb(185, 61, 11)', 'sign-in uses the primary colour #b93d0b');
    const logo = page.locator('.brand img');
    await logo.waitFor();
    const loaded = await logo.evaluate((img) => img.complete && img.naturalWidth > 0);
    assert.ok(loaded, 'the small logo image loaded');
    await page.screenshot({ path: join(shots, 'acme.png'), fullPage: true });
    assert.deepEqual(problems, [], 'no console errors, CSP violations or page errors');
  } finally {
    await context.close();
  }
});

test('the Northwind portal speaks Danish to a Danish browser and the default to others', async () => {
  const url = `http://northwind.localhost:${port}/`;
  const cases = [
    { options: { locale: 'da-DK' }, lang: 'da', heading: 'Velkommen' },
    { options: { locale: 'nb-NO' }, lang: 'nb' },
    // No supported language asked for: the portal default (Danish), not English.
    { options: { extraHTTPHeaders: { 'Accept-Language': 'fr' } }, lang: 'da', heading: 'Velkommen' },
  ];
  for (const { options, lang, heading } of cases) {
    const { context, page, response, problems } = await open(url, options);
    try {
      const label = JSON.stringify(options);
      assert.equal(response.status(), 200, label);
      assert.equal(await page.getAttribute('html', 'lang'), lang, label);
      if (heading) assert.equal((await page.textContent('h1')).trim(), heading, label);
      assert.equal(await page.title(), 'Northwind · Nordic Rentals', label);
      if (lang === 'da' && !options.locale) await page.screenshot({ path: join(shots, 'northwind-fr.png'), fullPage: true });
      assert.deepEqual(problems, [], label);
    } finally {
      await context.close();
    }
  }
});

test('a portal created through the API is served branded at once', async () => {
  const slug = `pw-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const { tenant } = await callApi('POST', '/tenants', { slug, name: 'Playwright Co' });
  const { theme } = await callApi('POST', `/tenants/${tenant.id}/themes`, {
    name: 'Playwright Teal',
    colors: { primary: '#0f766e', menu: '#134e4a', notification: '#f59e0b', background: '#ffffff', text: '#111827' },
  });
  const { portal } = await callApi('POST', `/tenants/${tenant.id}/portals`, {
    slug, name: 'Playwright Portal', page_title: 'Playwright Help Desk', theme_id: theme.id,
  });
  const hostname = `${slug}.localhost`;
  await callApi('POST', `/tenants/${tenant.id}/portals/${portal.id}/domains`, { hostname });

  const { context, page, response, problems } = await open(`http://${hostname}:${port}/`);
  try {
    assert.equal(response.status(), 200);
    assert.equal(await page.title(), 'Playwright Help Desk');
    assert.equal(await backgroundOf(page, '.site-header'), 'rgb(19, 78, 74)', 'header uses the menu colour #134e4a');
    assert.equal(await backgroundOf(page, '.button'), 'rgb(15, 118, 110)', 'sign-in uses the primary colour #0f766e');

    await callApi('PATCH', `/tenants/${tenant.id}/themes/${theme.id}`, { colors: { menu: '#400040' } });
    await page.reload({ waitUntil: 'load' });
    assert.equal(await backgroundOf(page, '.site-header'), 'rgb(64, 0, 64)', 'the new menu colour shows: no stale stylesheet');
    assert.equal(await backgroundOf(page, '.button'), 'rgb(15, 118, 110)', 'untouched colours stay');
    await page.screenshot({ path: join(shots, 'api-portal.png'), fullPage: true });
    assert.deepEqual(problems, [], 'no console errors, CSP violations or page errors');
  } finally {
    await context.close();
  }
});
