// End-to-end test of the admin page in a real headless browser: Debian's chromium driven by
// playwright-core. scripts/browser-check starts the container and runs this; to run it by hand
// against a running container:
//
//   DIALROUTE_URL=http://127.0.0.1:8080/dialroute \
//   DIALROUTE_ADMIN_CREDENTIALS=~/.config/dialroute/admin-credentials.properties \
//   DIALROUTE_PLAN_FILE=/path/of/the/plan/the/container/serves.yaml \
//   SCREENSHOT=../target/browser/admin.png node admin-page.test.mjs
//
// The test edits DIALROUTE_PLAN_FILE (it breaks it, then restores it), so give it a copy.
// Prints one "ok"/"not ok" line per step; exit status 0 when every step passed.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) {
    console.error(`browser-test: set ${name}`);
    process.exit(2);
  }
  return v;
};
const BASE = env('DIALROUTE_URL', 'http://127.0.0.1:8080/dialroute').replace(/\/$/, '');
const CREDENTIALS = env('DIALROUTE_ADMIN_CREDENTIALS');
const PLAN = env('DIALROUTE_PLAN_FILE');
const SCREENSHOT = env('SCREENSHOT', 'admin.png');
const CHROMIUM = env('CHROMIUM', '/usr/bin/chromium');
const STEP_TIMEOUT_MS = 15000;

function readCredentials(file) {
  const props = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([^#!=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (m) props[m[1]] = m[2].trim();
  }
  assert.ok(props.user && props.password, `${file} lacks user or password`);
  return { username: props.user, password: props.password };
}

async function step(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (e) {
    console.log(`not ok - ${name}`);
    throw e;
  }
}

const credentials = readCredentials(CREDENTIALS);
const originalPlan = fs.readFileSync(PLAN, 'utf8');
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialroute-chromium-'));
const problems = [];   // console errors, page errors, requests that leave the server
let context;
let page;
let failed = false;

// A hung browser must not hang CI.
const guard = setTimeout(() => {
  console.log('not ok - the test did not finish within 180 s');
  process.exit(1);
}, 180000);

try {
  await step('without credentials the page answers 401 with a Basic challenge', async () => {
    const r = await fetch(BASE + '/admin/');
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate') || '', /^Basic /);
  });

  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // Answers the page's HTTP Basic challenge, as an admin does in the browser's login prompt.
    httpCredentials: credentials,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const origin = new URL(BASE).origin;
  context.on('request', (r) => {
    if (!r.url().startsWith(origin + '/') && !r.url().startsWith('data:')) problems.push('request outside the server: ' + r.url());
  });
  page = context.pages()[0] || await context.newPage();
  page.on('console', (m) => {
    // Chrome logs every non-2xx fetch; the 422 of the broken plan's dry run is expected.
    if (m.type() === 'error' && !/^Failed to load resource: .* status of 422 /.test(m.text())) {
      problems.push('console error: ' + m.text() + ' ' + JSON.stringify(m.location()));
    }
  });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));

  await step('logs in and the plan table shows rule "9"', async () => {
    const response = await page.goto(BASE + '/admin/');
    assert.equal(response.status(), 200);
    const rule9 = page.locator('#plan-table tbody tr').filter({ has: page.locator('td.prefix', { hasText: /^9$/ }) });
    await rule9.first().waitFor();
    assert.equal(await rule9.count(), 1);
    assert.match(await rule9.innerText(), /proxy sequential pstn/);
    assert.match(await page.locator('#plan-summary').innerText(), /version [0-9a-f]{12}/);
  });

  await step('lookup of 1555 from caller 2000: the caller rule\'s conditions failed, 403', async () => {
    await page.fill('#lookup-form input[name=number]', '1555');
    await page.fill('#lookup-form input[name=caller]', '2000');
    await page.click('#lookup-form button[type=submit]');
    const decision = page.locator('#lookup-result .decision');
    await decision.waitFor();
    assert.match(await decision.innerText(), /^403 Forbidden/);
    const result = await page.locator('#lookup-result').innerText();
    assert.match(result, /conditions failed/);
    assert.match(result, /caller starts with 1000/);
    assert.match(result, /SIP\/2\.0 403 Forbidden/);
  });

  await step('metrics counters are shown and refreshed', async () => {
    await page.locator('#metrics-status', { hasText: /^updated / }).waitFor();
    assert.match(await page.locator('#other-metrics').innerText(), /rules in service\s+10/);
  });

  await step('destinations table: disabling pstn takes it out of a lookup (503), enabling puts it back', async () => {
    const pstn = page.locator('#health-table tbody tr[data-destination="pstn"]');
    await pstn.waitFor();
    assert.match(await pstn.locator('td.health').innerText(), /^not probed$/);
    await pstn.locator('button', { hasText: /^enabled$/ }).click();
    await page.locator('#health-table tbody tr.unavailable[data-destination="pstn"] button', { hasText: /^disabled$/ }).waitFor();
    await page.fill('#lookup-form input[name=number]', '9123');
    await page.fill('#lookup-form input[name=caller]', '');
    await page.click('#lookup-form button[type=submit]');
    await page.locator('#lookup-result .decision', { hasText: /^503 Service Unavailable/ }).waitFor();
    assert.match(await page.locator('#lookup-result').innerText(), /pstn \(disabled\)/);
    await page.locator('#health-table tbody tr[data-destination="pstn"] button', { hasText: /^disabled$/ }).click();
    await page.locator('#health-table tbody tr:not(.unavailable)[data-destination="pstn"] button', { hasText: /^enabled$/ }).waitFor();
    await page.click('#lookup-form button[type=submit]');
    await page.locator('#lookup-result .decision', { hasText: /^proxy sequential/ }).waitFor();
  });

  // Break the plan file: an unknown mode on the first redirect rule.
  const lines = originalPlan.split('\n');
  const index = lines.findIndex((l) => /^\s*mode: redirect\s*$/.test(l));
  assert.ok(index >= 0, 'the plan has no "mode: redirect" line to break');
  lines[index] = lines[index].replace('redirect', 'redirekt');
  const where = `${PLAN}:${index + 1}:${lines[index].indexOf('redirekt') + 1}`;
  fs.writeFileSync(PLAN, lines.join('\n'));

  await step(`dry-run reload of the broken plan shows the problem at ${where}`, async () => {
    await page.fill('#reload-form input[name=numbers]', '9123, 8123, 1555, 00441234');
    await page.click('#dry-run');
    const problem = page.locator('#reload-result ul.problems li').first();
    await problem.waitFor();
    const text = await problem.innerText();
    assert.ok(text.startsWith(where + ': '), `expected "${where}: ..." but the page shows "${text}"`);
    assert.match(text, /redirekt/);
    assert.equal(await page.locator('#apply').isDisabled(), true, 'Apply must stay disabled after a failed dry run');
  });

  await step(`screenshot saved to ${SCREENSHOT}`, async () => {
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  fs.writeFileSync(PLAN, originalPlan);
  await step('after restoring the file the dry run is valid, changes nothing, and Apply works', async () => {
    await page.click('#dry-run');
    await page.locator('#reload-result .ok', { hasText: 'The plan file is valid.' }).waitFor();
    assert.match(await page.locator('#reload-result').innerText(), /none of the sample numbers would be routed differently/);
    await page.click('#apply');
    await page.locator('#reload-result .ok', { hasText: 'Reloaded.' }).waitFor();
  });

  await step('no console errors and nothing requested from outside the server', async () => {
    assert.deepEqual(problems, []);
  });
} catch (e) {
  failed = true;
  console.log('# ' + String(e && e.stack || e).split('\n').join('\n# '));
  if (problems.length) console.log('# also: ' + problems.join('\n# also: '));
  if (page) {
    try {
      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      console.log(`# screenshot of the failure: ${SCREENSHOT}`);
    } catch (ignored) {
      // the browser is gone; nothing to show
    }
  }
} finally {
  fs.writeFileSync(PLAN, originalPlan);
  if (context) await context.close().catch(() => {});
  fs.rmSync(userDataDir, { recursive: true, force: true });
  clearTimeout(guard);
}
console.log(failed ? 'FAIL' : 'PASS');
process.exit(failed ? 1 : 0);
