// Shared by the browser tests: the server they talk to (started by scripts/test; PORCH_BASE_PORT
// and PORCH_E2E_TOKEN set), a Chromium launched once per file, and admin API calls.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
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
