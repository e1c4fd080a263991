// The product as a browser user meets it: sign up, add the sample database,
// test and connect, ask with the built-in (keyless) engine, read the answer,
// its SQL and rows, edit and re-run the SQL, see a refused write, download CSV,
// draw a chart, browse the schema, inspect and disconnect the session, log out;
// then the same pages at 375 px. Screenshots of every page go to
// end2end/screenshots/ (not committed). No page may log a console error.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';

const SHOTS = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'screenshots');
fs.mkdirSync(SHOTS, { recursive: true });

async function hydrated(page) {
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible({ timeout: 30_000 });
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/// Console errors and uncaught exceptions, per page: the test fails on any.
/// `refusals`: HTTP statuses the test provokes on purpose (a refused write, an
/// unreachable server); Chromium logs each such response as a console error,
/// and only those lines are let through.
function watchConsole(page, refusals = []) {
  const problems = [];
  const expected = (text) => refusals.some((s) => text.startsWith(`Failed to load resource: the server responded with a status of ${s} `));
  page.on('console', (m) => {
    if (m.type() === 'error' && !expected(m.text())) problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  return problems;
}

async function signUpAndLogIn(page) {
  const email = `ui-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  await page.goto('/register');
  await hydrated(page);
  await page.getByLabel('Name').fill('Ann Example');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a-good-password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/login\?registered=1/);
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a-good-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/connections/);
  await hydrated(page);
  return email;
}

async function connectSample(page) {
  await page.getByTestId('add-sample').click();
  const row = page.getByTestId('database').filter({ hasText: 'demo_shop.sqlite' });
  await expect(row).toBeVisible();
  await row.getByTestId('test-saved').click();
  await expect(page.getByTestId('flash')).toContainText('Connection successful');
  await row.getByTestId('connect').click();
  await expect(page.getByTestId('flash')).toContainText(/Connected to demo_shop\.sqlite: 5 tables found/);
  await expect(row.getByTestId('connected-badge')).toBeVisible();
}

async function ask(page, question) {
  const before = await page.getByTestId('turn').count();
  await page.getByTestId('question').fill(question);
  await page.getByTestId('question').press('Enter');
  const turn = page.getByTestId('turn').nth(before);
  await expect(turn.getByTestId('answer')).toBeVisible({ timeout: 30_000 });
  await expect(turn.getByTestId('progress')).toHaveCount(0);
  return turn;
}

test('the whole product in a browser, with no API key', async ({ page }) => {
  const problems = watchConsole(page, [400]);
  const email = await signUpAndLogIn(page);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByTestId('user-email')).toHaveText(email);
  await shot(page, '01-databases-empty');

  // The add form, per engine.
  await page.getByTestId('add-database').click();
  await expect(page.getByTestId('database-form')).toBeVisible();
  await expect(page.getByLabel('Host')).toBeVisible();
  await shot(page, '02-database-form');
  await page.getByLabel('Engine').selectOption('sqlite');
  await expect(page.getByLabel('SQLite file')).toBeVisible();
  await expect(page.getByLabel('Host')).toHaveCount(0);
  await page.getByRole('button', { name: 'Cancel' }).click();

  await connectSample(page);
  await shot(page, '03-databases-connected');

  // Ask with the offline engine: the answer, how it was read, the SQL, the rows.
  await page.getByTestId('go-chat').click();
  await expect(page).toHaveURL(/\/chat/);
  await hydrated(page);
  let turn = await ask(page, 'How many orders per status?');
  await expect(turn.getByTestId('answer')).toContainText(/^Number of orders per status — cancelled: \d+; delivered: \d+/);
  await expect(turn.getByTestId('interpretation')).toContainText('per status');
  const query = turn.getByTestId('query').first();
  await expect(query.getByTestId('sql-preview')).toContainText('GROUP BY status');
  await expect(query.locator('[data-token=keyword]').first()).toHaveText('SELECT');
  const table = query.getByTestId('result-table');
  await expect(table.locator('thead th')).toHaveCount(2);
  expect(await table.locator('tbody tr').count()).toBeGreaterThan(2);
  // Names first, then the count: text left, numbers right-aligned.
  await expect(table.locator('thead th')).toHaveText(['status', 'number_of_orders']);
  await expect(table.locator('tbody tr').first().locator('td').nth(0)).not.toHaveClass(/text-right/);
  await expect(table.locator('tbody tr').first().locator('td').nth(1)).toHaveClass(/text-right/);

  // A chart: one bar per status.
  const rows = await table.locator('tbody tr').count();
  await query.getByTestId('show-bars').click();
  await expect(query.getByTestId('chart').locator('[data-testid=bar]')).toHaveCount(rows);
  await shot(page, '04-chat-chart');
  await query.getByTestId('show-table').click();

  // CSV of the whole result.
  const downloading = page.waitForEvent('download');
  await query.getByTestId('download-csv').click();
  const download = await downloading;
  const csv = fs.readFileSync(await download.path(), 'utf8');
  const lines = csv.trim().split('\r\n');
  expect(lines[0]).toBe('status,number_of_orders');
  expect(lines.length).toBe(rows + 1);
  expect(lines.slice(1).every((l) => /^[a-z]+,\d+$/.test(l))).toBe(true);

  // Edit the SQL and run it again (Ctrl+Enter), read-only.
  await query.getByTestId('edit-sql').click();
  const editor = query.getByTestId('sql-editor');
  await editor.fill("SELECT status, count(*) AS n FROM orders WHERE status = 'cancelled' GROUP BY status");
  await editor.press('Control+Enter');
  await expect(query.getByTestId('sql-preview')).toContainText("status = 'cancelled'");
  await expect(query.getByTestId('result-table').locator('tbody tr')).toHaveCount(1);
  await expect(query.getByTestId('result-table').locator('tbody td').first()).toHaveText('cancelled');

  // A write is refused, in the conversation.
  await query.getByTestId('edit-sql').click();
  await query.getByTestId('sql-editor').fill('DELETE FROM orders');
  await query.getByTestId('run-sql').click();
  await expect(query.getByTestId('sql-error')).toContainText(/read-only|not allowed|Only/i);
  await query.getByTestId('edit-sql').click();

  // A dated question, a time series drawn as a line.
  turn = await ask(page, 'Number of orders per month');
  const series = turn.getByTestId('query').first();
  await expect(series.getByTestId('sql-preview')).toContainText("strftime('%Y-%m'");
  await series.getByTestId('show-line').click();
  expect(await series.getByTestId('chart').locator('[data-testid=point]').count()).toBeGreaterThan(12);
  await shot(page, '05-chat');

  // A question it cannot read is answered plainly, with suggestions.
  turn = await ask(page, 'What is the meaning of life?');
  await expect(turn.getByTestId('answer')).toContainText('I could not read this question');

  // The schema beside the chat: clicking a table puts its name in the question.
  await page.getByTestId('question').fill('How many rows in');
  await page.getByTestId('schema').getByTestId('pick-table').filter({ hasText: 'categories' }).click();
  await expect(page.getByTestId('question')).toHaveValue('How many rows in categories');

  // The schema browser page, with search.
  await page.getByRole('link', { name: 'Schema' }).click();
  await expect(page).toHaveURL(/\/schema/);
  await hydrated(page);
  await expect(page.getByTestId('schema-table')).toHaveCount(5);
  await page.getByTestId('schema-search').fill('unit_price');
  await expect(page.getByTestId('schema-table')).toHaveCount(1);
  await expect(page.getByTestId('schema-table')).toContainText('order_items');
  await expect(page.getByTestId('schema-table')).toContainText('PK');
  await page.getByTestId('schema-search').fill('');
  await shot(page, '06-schema');

  // The session inspector, then disconnect (the login stays).
  await page.getByRole('link', { name: 'Session' }).click();
  await hydrated(page);
  await expect(page.getByTestId('session-status')).toHaveText('connected');
  await expect(page.getByTestId('session-connection')).toContainText('sqlite://');
  await expect(page.getByTestId('schema-size')).toContainText('5 tables');
  await expect(page.getByTestId('model')).toHaveText('sqlagent-offline');
  const ttl = await page.getByTestId('ttl').innerText();
  await page.waitForTimeout(1500);
  expect(await page.getByTestId('ttl').innerText()).not.toBe(ttl);
  await shot(page, '07-session');
  await page.getByTestId('disconnect').click();
  await expect(page.getByTestId('session-status')).toHaveText('no database connected');
  await expect(page.getByTestId('connected-db')).toHaveText('No database connected');

  // The chat says so and cannot ask.
  await page.getByRole('link', { name: 'Chat' }).click();
  await hydrated(page);
  await expect(page.getByTestId('not-connected')).toBeVisible();
  await expect(page.getByTestId('ask')).toBeDisabled();

  // Log out.
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' })).toBeVisible();
  expect((await page.request.get('/users/me')).status()).toBe(401);
  await page.goto('/connections');
  await expect(page.getByText('Please log in')).toBeVisible();

  expect(problems).toEqual([]);
});

test('every page fits a 375 px phone without sideways scrolling', async ({ page }) => {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 375, height: 812 });
  await signUpAndLogIn(page);
  await connectSample(page);
  for (const [url, name] of [['/connections', 'm1-databases'], ['/chat', 'm2-chat'], ['/schema', 'm3-schema'], ['/session', 'm4-session']]) {
    await page.goto(url);
    await hydrated(page);
    if (url === '/chat') await ask(page, 'Which city has the most customers?');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${url} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
    await shot(page, name);
  }
  expect(problems).toEqual([]);
});

test('a saved connection to an unreachable server says why, plainly', async ({ page }) => {
  const problems = watchConsole(page, [400]);
  await signUpAndLogIn(page);
  await page.getByTestId('add-database').click();
  await page.getByLabel('Host').fill('127.0.0.1');
  await page.getByLabel('Port').fill('1');
  await page.getByLabel('Database').fill('nothing');
  await page.getByLabel('User').fill('nobody');
  await page.getByLabel('Password').fill('secret');
  await page.getByTestId('test-connection').click();
  await expect(page.getByTestId('database-form').getByRole('alert')).toBeVisible({ timeout: 20_000 });
  expect(problems).toEqual([]);
});
