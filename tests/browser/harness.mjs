// Shared by the browser tests: the server they talk to (started by scripts/test; PORCH_BASE_PORT
// and PORCH_E2E_TOKEN set), a Chromium launched once per file, admin API calls, and
// `checkPage`: the issue's bar for every recipient page (reflow, axe-core, a screenshot).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const port = process.env.PORCH_BASE_PORT;
export const token = process.env.PORCH_E2E_TOKEN;
if (!port || !token) throw new Error('PORCH_BASE_PORT and PORCH_E2E_TOKEN must be set: run scripts/test');
export const api = `http://127.0.0.1:${port}/api/v1`;

/** Debian's Chromium for the file's tests: `browser()` after the file's `before` ran. */
let launched;
before(async () => {
  launched = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { await launched?.close(); });
export const browser = () => launched;

/** An admin API call with the operator token; fails the test on anything but 2xx. */
export async function call(method, path, body) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The widths every recipient page must work at (a small phone, a common phone, a laptop),
 * each with a height of its kind of screen. */
const VIEWPORTS = [{ width: 320, height: 568 }, { width: 390, height: 844 }, { width: 1280, height: 800 }];
/** WCAG 2.1 A and AA, the level the issue asks for. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** Where the screenshots go: the test's output folder, not committed (target/ is ignored). */
export const outDir = process.env.PORCH_BROWSER_OUT || new URL('../../target/browser', import.meta.url).pathname;
mkdirSync(outDir, { recursive: true });

/**
 * The issue's bar for a recipient page, at 320, 390 and 1280 px: no horizontal overflow (WCAG
 * 1.4.10 Reflow: `scrollWidth <= clientWidth`), no axe-core violation of WCAG 2.1 A/AA, and a
 * full-page screenshot `<name>-<width>.png` in `outDir`; the same again with the page's closed
 * <details> opened where a person could open them (`<name>-<width>-open.png`). Every width is
 * checked before it fails, so the message lists all that is wrong with the page. Leaves the
 * viewport at 1280.
 */
export async function checkPage(page, name) {
  const problems = [];
  const check = async (label, shot) => {
    const overflow = await page.evaluate(overflowingElements);
    if (overflow) problems.push(`${label}: overflow: ${overflow}`);
    for (const violation of await axeViolations(page)) problems.push(`${label}: axe ${violation}`);
    // A full-page shot of a long page (a year's report) can take more than playwright's 30 s
    // default on a loaded 2-core machine (seen once in a full run; the page passed alone).
    await page.screenshot({ path: join(outDir, `${shot}.png`), fullPage: true, timeout: 90_000 });
  };
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    await check(`${viewport.width}px`, `${name}-${viewport.width}`);
    // What a closed <details> holds (the header's menu on a phone) must reflow and pass too:
    // opened for a second look, then closed again.
    if (await page.evaluate(toggleDetails, true)) {
      await check(`${viewport.width}px, <details> open`, `${name}-${viewport.width}-open`);
      await page.evaluate(toggleDetails, false);
    }
  }
  assert.ok(problems.length === 0, `${name} (${page.url()}):\n  ${problems.join('\n  ')}`);
}

/** In the page: opens each closed <details> whose summary a person can click (marking it) and
 * answers how many; with `open` false, closes the marked ones again. */
function toggleDetails(open) {
  if (!open) {
    for (const details of document.querySelectorAll('details[data-opened-by-test]')) {
      details.open = false;
      delete details.dataset.openedByTest;
    }
    return 0;
  }
  const closed = [...document.querySelectorAll('details:not([open])')]
    .filter((details) => details.querySelector(':scope > summary')?.getClientRects().length > 0);
  for (const details of closed) {
    details.open = true;
    details.dataset.openedByTest = '';
  }
  return closed.length;
}

/** In the page: null when nothing is wider than the viewport, otherwise the elements where the
 * overflow starts (wider than the viewport inside a parent that is not), furthest first. */
function overflowingElements() {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const limit = root.clientWidth + 0.5;
  const right = (element) => element.getBoundingClientRect().right;
  const origins = [...document.body.querySelectorAll('*')]
    .filter((element) => right(element) > limit && !(element.parentElement !== document.body && right(element.parentElement) > limit))
    .sort((a, b) => right(b) - right(a));
  const describe = (element) => element.tagName.toLowerCase() + (element.id ? `#${element.id}` : '')
    + [...element.classList].map((c) => `.${c}`).join('');
  const name = (element) => {
    const path = [];
    for (let at = element; at && at !== document.body && path.length < 4; at = at.parentElement) path.unshift(describe(at));
    const text = element.textContent.trim().replace(/\s+/g, ' ').slice(0, 40);
    return `${path.join(' > ')}${text ? ` "${text}"` : ''} (right edge ${Math.round(right(element))}px)`;
  };
  return `scrollWidth ${root.scrollWidth} > clientWidth ${root.clientWidth}; sticking out: `
    + (origins.length ? origins.slice(0, 5).map(name).join('; ') + (origins.length > 5 ? `; and ${origins.length - 5} more` : '')
      : 'no element (a margin or a pseudo-element)');
}

/** axe-core's WCAG 2.1 A/AA violations of the page as it is now, one line each. */
async function axeViolations(page) {
  // page.evaluate runs through the DevTools protocol, which the page's CSP (`default-src
  // 'none'`, no inline script) does not govern, so axe gets in without `bypassCSP`: the pages
  // are checked under the CSP they ship with (a blocked inline style would show here too).
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async (tags) => {
    const results = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    if (results.passes.length + results.violations.length === 0) throw new Error('axe-core checked nothing');
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), why: n.failureSummary?.split('\n')[1]?.trim() })),
    }));
  }, AXE_TAGS);
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} element(s): `
    + v.nodes.slice(0, 6).map((n) => `${n.target}${n.why ? ` [${n.why}]` : ''}`).join('; ')
    + (v.nodes.length > 6 ? '; …' : ''));
}
