import { test, expect } from '@playwright/test';

async function hydrated(page) {
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible({ timeout: 30_000 });
}

test('register, log in and see the signed-in page', async ({ page, context }) => {
  const email = `e2e-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;

  await page.goto('/register');
  await hydrated(page);
  await page.getByLabel('Name').fill('Playwright User');
  await page.getByLabel('Email').fill(email);
  // The browser checks the length first; the server's own errors show in place.
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  expect(await page.getByLabel('Password').evaluate((i) => i.validity.tooShort)).toBe(true);

  await page.getByLabel('Password').fill('a-good-password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Incorrect email or password');

  await page.getByLabel('Password').fill('a-good-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/connections/);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByTestId('user-email')).toHaveText(email);

  // The same email again is refused by the server, in place.
  await page.goto('/register');
  await hydrated(page);
  await page.getByLabel('Name').fill('Someone Else');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('another-password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert')).toContainText(/already registered/i);
  await page.goto('/');

  // The browser session is an HttpOnly, SameSite cookie that scripts cannot read.
  const cookie = (await context.cookies()).find((c) => c.name === 'sqlagent_session');
  expect(cookie).toBeTruthy();
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe('Lax');
  expect(await page.evaluate(() => document.cookie)).not.toContain('sqlagent_session');

  // The cookie resolves to the same principal as a Bearer token would.
  const me = await page.request.get('/users/me');
  expect(me.ok()).toBe(true);
  expect((await me.json()).email).toBe(email);

  // Reloading keeps the session; logging out ends it.
  await page.reload();
  await expect(page.getByTestId('signed-in')).toBeVisible();
  await expect(page.getByTestId('signed-in').getByTestId('user-email')).toHaveText(email);
  await hydrated(page);
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' })).toBeVisible();
  expect((await page.request.get('/users/me')).status()).toBe(401);
});
