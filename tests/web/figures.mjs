// Figures for the closing note (not a test): JS shipped for the first page (gzip bytes on the
// wire), and the time to a usable seat map (every seat drawn and focusable) for the demo's real
// 1,000-seat schedule and for synthetic 1,000- and 20,000-seat maps served by route interception
// (the same body shape as GET /schedules/{id}/seats). Run with the stack of run.sh up:
//   ADMIT_WEB_COMMAND='node figures.mjs' tests/web/run.sh build/test   (JSON: <build>/web-e2e/artifacts/figures.json)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifacts, base, buyer, demoSchedule, launch, login, newPage } from './lib.mjs';

function syntheticMap(scheduleId, count) {
  const perRow = 200;
  const grades = ['VIP', 'R', 'S', 'A'].map((name, i) => ({
    gradeId: 'grd_' + i, name, price: { amount: 150000 - i * 30000, currency: 'KRW' }, total: count / 4, remaining: count / 4,
  }));
  const seats = [];
  for (let i = 0; i < count; i++) {
    const row = Math.floor(i / perRow), n = (i % perRow) + 1;
    seats.push(['seat_' + i, `A-${row + 1}-${n}`, Math.min(3, Math.floor((row * 4) / (count / perRow))), n, row, i % 7 === 0 ? 'SOLD' : 'AVAILABLE']);
  }
  return JSON.stringify({ scheduleId, productId: 'prd_x', productStatus: 'ON_SALE', seating: 'RESERVED', version: '1',
    grades, columns: ['seatId', 'label', 'grade', 'x', 'y', 'status'], seats });
}

async function timeToUsableMap(page, scheduleId, count) {
  const started = Date.now();
  await page.goto(base + '/app/seats/' + scheduleId);
  await page.waitForFunction((n) => document.querySelectorAll('rect[role="checkbox"]').length >= n &&
    document.querySelector('rect[role="checkbox"][tabindex="0"]') !== null, count, { timeout: 120000, polling: 'raf' });
  return Date.now() - started;
}

const browser = await launch();
const page = await newPage(browser);
await page.goto(base + '/app');
await page.getByRole('heading', { name: 'Shows' }).waitFor();
const js = await page.evaluate(() => performance.getEntriesByType('resource')
  .filter((e) => e.initiatorType === 'script' || e.name.endsWith('.js'))
  .reduce((sum, e) => sum + e.transferSize, 0));
const css = await page.evaluate(() => performance.getEntriesByType('resource')
  .filter((e) => e.name.endsWith('.css')).reduce((sum, e) => sum + e.transferSize, 0));
const firstPage = { figure: 'first page (bytes on the wire, gzip)', jsTransferBytes: js, cssTransferBytes: css };
console.log(JSON.stringify(firstPage));

await login(page, buyer);
const { scheduleId } = await demoSchedule('Swan');
const runs = { real1000: [], synthetic1000: [], synthetic20000: [] };
for (let i = 0; i < 3; i++) runs.real1000.push(await timeToUsableMap(page, scheduleId, 1000));
for (const count of [1000, 20000]) {
  await page.route('**/api/v1/schedules/sch_synthetic/seats', (r) =>
    r.fulfill({ status: 200, contentType: 'application/json', body: syntheticMap('sch_synthetic', count) }));
  await page.route('**/api/v1/schedules/sch_synthetic/seats/stream', (r) => r.abort());
  for (let i = 0; i < 3; i++) runs['synthetic' + count].push(await timeToUsableMap(page, 'sch_synthetic', count));
  await page.unrouteAll();
}
const seatMap = { figure: 'time to usable seat map (ms, 3 runs each)', ...runs };
console.log(JSON.stringify(seatMap));
writeFileSync(join(artifacts, 'figures.json'), JSON.stringify({ at: new Date().toISOString(), firstPage, seatMap }, null, 2));
await browser.close();
