// The buyer's journey in a real browser against the demo stack (tests/web/run.sh).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  admin, apiAs, base, buyer, demoSchedule, keepEvidence, launch, login, newPage, screenshot,
  seriousViolations, uniqueEmail,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function accessible(page, name) {
  await screenshot(page, name);
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `axe on ${name}`);
}

test('full purchase: sign up, find a show, waiting room, two seats, pay, two tickets with QR', () =>
  keepEvidence(browser, 'purchase', async () => {
  const page = await newPage(browser);
  // A typed address with a trailing slash reaches the app too (308 to /app).
  await page.goto(base + '/app/');
  await page.getByRole('heading', { name: 'Shows' }).waitFor();
  await page.goto(base + '/');
  await page.getByRole('heading', { name: 'Shows' }).waitFor();
  await accessible(page, 'shows');

  await page.getByRole('link', { name: 'Sign up' }).click();
  await page.getByLabel('Name').fill('Playwright Buyer');
  await page.getByLabel('Email').fill(uniqueEmail('buyer'));
  await page.getByLabel('Password').fill('long-enough-password');
  await accessible(page, 'signup');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();

  await page.getByRole('searchbox').fill('Nutcracker');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: /Nutcracker/ }).click();
  await page.getByRole('heading', { name: /Nutcracker/ }).waitFor();
  await accessible(page, 'product');

  await page.getByRole('button', { name: 'Join the waiting room' }).click();
  // The waiting room admits us (the demo's admission rate is high) and opens the seat map.
  await page.waitForURL(/\/app\/seats\//, { timeout: 20000 });
  const seats = page.locator('rect[role="checkbox"][aria-disabled="false"]');
  await seats.first().waitFor();
  await accessible(page, 'seatmap');
  const label = await seats.nth(0).getAttribute('aria-label');
  assert.match(label, /Row .+, seat \d+, (VIP|R|S), .*(₩|KRW).*, available/);
  await seats.nth(0).click();
  await seats.nth(1).click();
  await page.getByRole('heading', { name: 'Selected seats (2/4)' }).waitFor();
  await screenshot(page, 'two-seats');
  await page.getByRole('button', { name: 'Hold these seats' }).click();

  await page.waitForURL(/\/app\/checkout\//);
  await page.getByTestId('hold-countdown').waitFor();
  await page.getByRole('row', { name: /Total/ }).waitFor();
  await accessible(page, 'checkout');
  await page.getByRole('button', { name: /^Pay / }).click();

  // The simulator's checkout page (another origin), then back to the app.
  await page.getByRole('button', { name: /Approve payment/ }).click();
  await page.getByRole('heading', { name: /Payment approved/ }).waitFor({ timeout: 20000 });
  await accessible(page, 'paid');
  await page.getByRole('button', { name: 'My tickets' }).click();
  // Rotating codes, made in the browser with the ticket key (WebCrypto Ed25519).
  const qr = page.locator('svg.qr.rotating');
  await qr.nth(1).waitFor({ timeout: 20000 });
  assert.equal(await qr.count(), 2);
  await accessible(page, 'tickets');
  // The server verifies the code the page shows: both signatures pass, and the check-in refuses
  // it only because the doors are not open yet (signatures are checked before validity); the
  // same code with one signature byte changed fails on the signature.
  const code = await qr.first().getAttribute('data-code');
  assert.match(code, /^[0-9A-Z $%*+\-./:]{300,}$/);
  const scan = await apiAs(admin, 'POST', '/checkin', { code });
  assert.equal(scan.status, 422, JSON.stringify(scan));  // the demo's shows are 14 days away
  assert.equal(scan.body.reason, 'not_yet_valid', JSON.stringify(scan));
  // The least significant digit of a base45 group inside the window signature (the last 64
  // bytes): lowering it (or raising a 0) changes one byte and keeps the group in range.
  const at = Math.floor((code.length - 30) / 3) * 3;
  const forgedCode = code.slice(0, at) + (code[at] === '0' ? '1' : '0') + code.slice(at + 1);
  const forged = await apiAs(admin, 'POST', '/checkin', { code: forgedCode });
  assert.equal(forged.status, 422, JSON.stringify(forged));
  assert.equal(forged.body.reason, 'signature', JSON.stringify(forged));

  // Cancelling shows the refund the policy gives before anything changes.
  await page.goto(base + '/app/reservations');
  await page.getByRole('button', { name: 'Cancel reservation' }).click();
  const preview = page.getByTestId('refund-preview');
  await preview.waitFor();
  assert.match(await preview.textContent(), /Cancelling now refunds .+ of .+ \(\d+%\)/);
  await accessible(page, 'cancel-preview');
  await page.getByRole('button', { name: 'Cancel and refund' }).click();
  await page.locator('.badge.status-CANCELLED').waitFor();
  await page.getByText(/Refund: /).waitFor();
  assert.deepEqual(page.consoleErrors, [], 'no console errors (CSP violations show there)');
  }));

test('a seat held in one browser turns unavailable in another within 1 s', () =>
  keepEvidence(browser, 'two-browsers', async () => {
  const { scheduleId } = await demoSchedule('Swan');
  const a = await newPage(browser);
  const b = await newPage(browser);
  await login(a, buyer);
  await b.goto(base + '/app/signup');
  await b.getByLabel('Name').fill('Second Buyer');
  await b.getByLabel('Email').fill(uniqueEmail('second'));
  await b.getByLabel('Password').fill('long-enough-password');
  await b.getByRole('button', { name: 'Sign up' }).click();
  await b.getByRole('button', { name: 'Log out' }).waitFor();
  for (const p of [a, b]) {
    await p.goto(base + '/app/seats/' + scheduleId);
    await p.locator('rect[role="checkbox"][aria-disabled="false"]').first().waitFor();
  }
  const seat = a.locator('rect[role="checkbox"][aria-disabled="false"]').nth(5);
  const seatId = await seat.getAttribute('data-seat');
  await seat.click();
  const held = a.waitForResponse((r) => r.url().endsWith('/api/v1/reservations') && r.status() === 201);
  await a.getByRole('button', { name: 'Hold these seats' }).click();
  await held;
  const start = Date.now();
  await b.locator(`rect[data-seat="${seatId}"][aria-disabled="true"]`).waitFor({ timeout: 1000 });
  console.log(`# seat greyed out in the other browser after ${Date.now() - start} ms`);
  await screenshot(b, 'other-browser-sees-hold');
  }));

test('a refresh in the waiting room keeps the position', () =>
  keepEvidence(browser, 'waiting-room', async () => {
  const { scheduleId } = await demoSchedule('Nutcracker');
  // The room exists once someone joined; paused, a newcomer waits with a position.
  await apiAs(admin, 'POST', `/schedules/${scheduleId}/queue`);
  const paused = await apiAs(admin, 'POST', `/admin/schedules/${scheduleId}/queue/pause`);
  assert.ok(paused.status < 300, JSON.stringify(paused));
  try {
    const page = await newPage(browser);
    await page.goto(base + '/app/signup');
    await page.getByLabel('Name').fill('Queued Buyer');
    await page.getByLabel('Email').fill(uniqueEmail('queued'));
    await page.getByLabel('Password').fill('long-enough-password');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await page.goto(base + '/app/queue/' + scheduleId);
    const position = page.getByTestId('queue-position');
    await page.getByText('Admissions are paused').waitFor();
    const before = await position.textContent();
    assert.match(before, /^\d+$/);
    await accessible(page, 'waiting-room');
    await page.reload();
    await page.getByText('Admissions are paused').waitFor();
    assert.equal(await position.textContent(), before);
    // A second tab of the same session shows the same place, and the first keeps it.
    const second = await page.context().newPage();
    await second.goto(base + '/app/queue/' + scheduleId);
    await second.getByText('Admissions are paused').waitFor();
    assert.equal(await second.getByTestId('queue-position').textContent(), before);
    await page.reload();
    await page.getByText('Admissions are paused').waitFor();
    assert.equal(await position.textContent(), before);

    // The fairness check runs in the browser. The real room (opened after the sale start) says
    // this buyer is in line by arrival; then the page is shown a drawn pre-queue (a seed, its
    // commitment and join ids including this buyer's) and must place the buyer exactly where the
    // published rule puts them, and refuse a seed that does not match its commitment.
    await page.getByText('Fairness commitment').click();
    const check = page.getByTestId('fairness-check');
    await check.waitFor();
    assert.match(await check.textContent(), /seed matches the commitment|drawn at the start/);
    const joinId = await page.evaluate(async (id) =>
      (await (await fetch(`/api/v1/schedules/${id}/queue`)).json()).joinId, scheduleId);
    assert.match(joinId, /\S+/);
    const seed = randomBytes(32);
    const ids = [joinId, ...Array.from({ length: 40 }, (_, i) => `join_other_${i}`)].sort();
    const order = [...ids].sort((a, b) => {
      const ka = createHmac('sha256', seed).update(a).digest('hex');
      const kb = createHmac('sha256', seed).update(b).digest('hex');
      return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : 1;
    });
    const drawn = {
      scheduleId, phase: 'OPEN', algorithm: 'hmac-sha256-sort', seed: seed.toString('hex'),
      commitment: createHash('sha256').update(seed).digest('hex'), joinIds: ids,
    };
    for (const [body, expected] of [
      [drawn, `puts you at ${order.indexOf(joinId) + 1} / ${ids.length}`],
      [{ ...drawn, seed: randomBytes(32).toString('hex') }, 'does not match the commitment'],
    ]) {
      await page.route('**/queue/fairness', (r) => r.fulfill({ json: body }));
      await page.reload();
      await page.getByText('Admissions are paused').waitFor();
      await page.getByText('Fairness commitment').click();
      await page.getByTestId('fairness-check').filter({ hasText: expected }).waitFor();
      await page.unroute('**/queue/fairness');
    }
  } finally {
    await apiAs(admin, 'POST', `/admin/schedules/${scheduleId}/queue/resume`);
  }
  }));

test('an expired hold returns to the seat map with a message', () =>
  keepEvidence(browser, 'expiry', async () => {
  const { scheduleId } = await demoSchedule('Swan');
  const page = await newPage(browser);
  await page.clock.install();
  await login(page, buyer);
  await page.goto(base + '/app/seats/' + scheduleId);
  await page.locator('rect[role="checkbox"][aria-disabled="false"]').nth(20).click();
  await page.getByRole('button', { name: 'Hold these seats' }).click();
  await page.getByTestId('hold-countdown').waitFor();
  await page.clock.fastForward('30:00');
  await page.waitForURL(/\/app\/seats\/.*expired=1/);
  await page.getByRole('alert').filter({ hasText: 'Your hold expired' }).waitFor();
  await screenshot(page, 'hold-expired');
  }));

test('the seat map can be completed with the keyboard alone', () =>
  keepEvidence(browser, 'keyboard', async () => {
  const { scheduleId } = await demoSchedule('Swan');
  const page = await newPage(browser);
  await login(page, buyer);
  await page.goto(base + '/app/seats/' + scheduleId);
  await page.locator('rect[role="checkbox"]').first().waitFor();
  // Tab until a seat has the focus.
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.getAttribute('role') === 'checkbox')) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'checkbox');
  // Move right until an available seat, select it, then one more.
  let picked = 0;
  for (let i = 0; i < 60 && picked < 2; i++) {
    await page.keyboard.press('ArrowRight');
    const free = await page.evaluate(() => document.activeElement?.getAttribute('aria-disabled') === 'false');
    if (free) {
      await page.keyboard.press('Space');
      picked += 1;
    }
  }
  assert.equal(picked, 2);
  assert.equal(await page.locator('rect[aria-checked="true"]').count(), 2);
  // Tab to the hold button and press Enter.
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.textContent === 'Hold these seats')) break;
  }
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/app\/checkout\//);
  await page.getByTestId('hold-countdown').waitFor();
  await page.getByRole('button', { name: 'Release seats' }).click();
  await page.waitForURL(/\/app\/seats\//);
  }));

test('a declined payment says so and leads back to the seat map', () =>
  keepEvidence(browser, 'declined', async () => {
    const { scheduleId } = await demoSchedule('Swan');
    const page = await newPage(browser);
    await page.goto(base + '/app/signup');
    await page.getByLabel('Name').fill('Declining Buyer');
    await page.getByLabel('Email').fill(uniqueEmail('declined'));
    await page.getByLabel('Password').fill('long-enough-password');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await page.goto(base + '/app/seats/' + scheduleId);
    await page.locator('rect[role="checkbox"][aria-disabled="false"]').nth(40).click();
    await page.getByRole('button', { name: 'Hold these seats' }).click();
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.getByRole('button', { name: 'Decline' }).click();
    await page.getByRole('alert').filter({ hasText: 'The payment was declined' }).waitFor();
    await accessible(page, 'declined');
    await page.getByRole('link', { name: 'Back to the seat map' }).click();
    await page.waitForURL(/\/app\/seats\//);
  }));

test('Korean: the app speaks Korean and draws Hangul even without a Korean system font', () =>
  keepEvidence(browser, 'korean', async () => {
    const page = await newPage(browser, 'ko');
    await page.goto(base + '/app');
    await page.getByRole('heading', { name: '공연' }).waitFor();
    await page.evaluate(() => document.fonts.ready);
    const face = await page.evaluate(() =>
      [...document.fonts].find((f) => f.family.replace(/"/g, '') === 'Noto Sans KR')?.status);
    // fontconfig tells whether this machine has a font with Hangul; without one, the bundled
    // face must have been fetched (with one, the system font is used and the bundle is not).
    const systemHangul = execFileSync('fc-list', [':lang=ko', 'family']).toString().trim() !== '';
    if (!systemHangul) assert.equal(face, 'loaded', 'the bundled Noto Sans KR drew the Hangul');
    // Text laid out before the face arrived is drawn with it too: the heading is as wide as a
    // copy of it shaped now (empty boxes are narrower than Hangul glyphs). The copy differs in a
    // font feature that changes no glyph here, so the browser cannot reuse the heading's shaping.
    const widths = await page.evaluate(() => {
      const heading = document.querySelector('h1');
      const copy = heading.cloneNode(true);
      copy.style.fontFeatureSettings = '"liga" 0';
      heading.after(copy);
      const width = (el) => { const r = document.createRange(); r.selectNodeContents(el); return r.getBoundingClientRect().width; };
      const both = [width(heading), width(copy)];
      copy.remove();
      return both;
    });
    assert.ok(Math.abs(widths[0] - widths[1]) < 0.5, `heading ${widths[0]} px, fresh copy ${widths[1]} px`);
    await accessible(page, 'korean-shows');
    assert.deepEqual(page.consoleErrors, []);
  }));
