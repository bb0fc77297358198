// Shared pieces of the browser tests: Debian's Chromium through playwright-core (no browser
// download), the stack's address and demo accounts from run.sh's environment, axe-core injected
// into the page, and screenshots kept as artifacts.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const base = process.env.ADMIT_WEB_URL;
export const artifacts = process.env.ADMIT_WEB_ARTIFACTS ?? 'artifacts';
export const buyer = { email: process.env.DEMO_BUYER_EMAIL, password: process.env.DEMO_BUYER_PASSWORD };
export const admin = { email: process.env.DEMO_ADMIN_EMAIL, password: process.env.DEMO_ADMIN_PASSWORD };
if (!base) throw new Error('ADMIT_WEB_URL is not set: run the tests through tests/web/run.sh');
mkdirSync(artifacts, { recursive: true });

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** A headless Chromium; the flags keep it off this machine's closed network. Playwright gives
 * every launch a fresh temporary --user-data-dir of its own (and refuses one passed in args). */
export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A page in English (or `lang`) with its console errors collected (a CSP violation shows up
 * there). */
export async function newPage(browser, lang = 'en') {
  const context = await browser.newContext({
    locale: lang === 'ko' ? 'ko-KR' : 'en-US',
    viewport: { width: 1280, height: 900 },
  });
  await context.addInitScript((l) => localStorage.setItem('admit.lang', l), lang);
  const page = await context.newPage();
  page.consoleErrors = [];
  // Failed requests (an expected 401 before login) are not errors of the page; CSP refusals are.
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') &&
    page.consoleErrors.push(m.text()));
  page.on('pageerror', (e) => page.consoleErrors.push(String(e)));
  return page;
}

/** Runs `body`; on failure keeps a screenshot of every open page of the browser first. */
export async function keepEvidence(browser, name, body) {
  try {
    await body();
  } catch (e) {
    let i = 0;
    for (const context of browser.contexts())
      for (const p of context.pages())
        await p.screenshot({ path: join(artifacts, `failed-${name}-${i++}.png`), fullPage: true }).catch(() => {});
    const errors = browser.contexts().flatMap((c) => c.pages().flatMap((p) => p.consoleErrors ?? []));
    if (errors.length) e.message += '\npage errors: ' + errors.join('\n');
    throw e;
  } finally {
    for (const context of browser.contexts()) await context.close().catch(() => {});
  }
}

let shot = 0;
export async function screenshot(page, name) {
  shot += 1;
  await page.screenshot({ path: join(artifacts, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/** axe-core's serious and critical violations on the page, as "id: target" lines. The CSP allows
 * no inline script, so axe is evaluated through the DevTools protocol, not a <script> tag. */
export async function seriousViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  return result;
}

export async function login(page, who) {
  await page.goto(base + '/app/login');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

/** Calls the API as `who` with a bearer token (test set-up only: pausing a queue, ...). */
export async function apiAs(who, method, path, body) {
  const login = await fetch(base + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(who),
  });
  const { accessToken } = await login.json();
  const r = await fetch(base + '/api/v1' + path, {
    method,
    headers: { Authorization: 'Bearer ' + accessToken, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

/** The demo's products by title fragment -> {productId, scheduleId}. */
export async function demoSchedule(fragment) {
  const list = await (await fetch(base + '/api/v1/products?q=' + encodeURIComponent(fragment))).json();
  const product = list.items[0];
  const full = await (await fetch(base + '/api/v1/products/' + product.productId)).json();
  return { productId: product.productId, scheduleId: full.schedules[0].scheduleId, title: product.title };
}

export function uniqueEmail(tag) {
  return `${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`;
}
