// Real-browser tests: Debian's Chromium driven by playwright-core against `wrangler dev`
// (started by scripts/test with the demo seed; PORCH_BASE_PORT and PORCH_E2E_TOKEN set).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browser, call, port } from './harness.mjs';

const shots = mkdtempSync(join(tmpdir(), 'porch-shots-'));


/** Opens a page and collects console errors (CSP violations land there) and page errors. */
async function open(url, contextOptions = {}) {
  const context = await browser().newContext(contextOptions);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
  page.on('pageerror', (error) => problems.push(String(error)));
  const response = await page.goto(url);
  return { context, page, response, problems };
}

const background = (page, selector) =>
  page.$eval(selector, (element) => getComputedStyle(element).backgroundColor);

test('the Acme portal renders branded with its logo, colours and title', async () => {
  const { context, page, response, problems } = await open(`http://acme.localhost:${port}/`);
  assert.equal(response.status(), 200);
  assert.equal(await page.title(), 'Acme Support Center');
  assert.equal(await background(page, '.site-header'), 'rgb(30, 41, 59)'); // menu #1e293b
  assert.equal(await background(page, '.button'), 'rgb(185, 61, 11)'); // primary #b93d0b
  const logoWidth = await page.$eval('.brand img', (img) => img.naturalWidth);
  assert.ok(logoWidth > 0, 'the small logo loaded');
  await page.screenshot({ path: join(shots, 'acme.png'), fullPage: true });
  assert.deepEqual(problems, [], 'no console errors or CSP violations');
  await context.close();
});

test('the Northwind portal speaks Danish by default and Norwegian to a Norwegian browser', async () => {
  const url = `http://northwind.localhost:${port}/`;
  const cases = [
    [{ locale: 'da-DK' }, 'da', 'Velkommen'],
    [{ locale: 'nb-NO' }, 'nb', 'Velkommen'],
    [{ extraHTTPHeaders: { 'Accept-Language': 'fr' } }, 'da', 'Velkommen'],
    [{ locale: 'en-GB' }, 'en', 'Welcome'],
  ];
  for (const [options, lang, heading] of cases) {
    const { context, page } = await open(url, options);
    assert.equal(await page.getAttribute('html', 'lang'), lang, JSON.stringify(options));
    assert.equal(await page.textContent('h1'), heading);
    assert.match(await page.textContent('main'), /Northwind Construction/);
    await context.close();
  }
});

test('a portal created through the API is served branded at once and follows theme changes', async () => {
  const slug = `browser-${Date.now()}`;
  const { tenant } = await call('POST', '/tenants', { slug, name: 'Browser Co' });
  const { theme } = await call('POST', `/tenants/${tenant.id}/themes`, {
    name: 'Browser',
    colors: { primary: '#0057b8', menu: '#002b5c', notification: '#ffd700', background: '#ffffff', text: '#111111' },
  });
  const { portal } = await call('POST', `/tenants/${tenant.id}/portals`, {
    slug, name: 'Browser Portal', page_title: 'Browser Help', theme_id: theme.id,
  });
  await call('POST', `/tenants/${tenant.id}/portals/${portal.id}/domains`, { hostname: `${slug}.localhost` });

  const { context, page, problems } = await open(`http://${slug}.localhost:${port}/`);
  assert.equal(await page.title(), 'Browser Help');
  assert.equal(await background(page, '.site-header'), 'rgb(0, 43, 92)');

  await call('PATCH', `/tenants/${tenant.id}/themes/${theme.id}`, { colors: { menu: '#400040' } });
  await page.reload();
  assert.equal(await background(page, '.site-header'), 'rgb(64, 0, 64)', 'no stale stylesheet');
  assert.deepEqual(problems, []);
  await context.close();
});
