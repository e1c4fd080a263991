// Browser security as a browser enforces it: the page's CSP lets the app
// hydrate with no violation, and a form on another origin of the same site
// (a sibling port, which the SameSite=Lax cookie does not stop) cannot make
// the signed-in user's browser change anything.
import { test, expect } from '@playwright/test';

async function hydrated(page) {
  await expect(page.locator('main[data-hydrated="true"]')).toBeVisible({ timeout: 30_000 });
}

test('the CSP is enforced and the app runs under it with no violations', async ({ page }) => {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  const response = await page.goto('/login');
  const csp = response.headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self' 'nonce-");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(response.headers()['x-content-type-options']).toBe('nosniff');
  await hydrated(page);
  // An injected inline script without the nonce does not run.
  const ran = await page.evaluate(async () => {
    window.__injected = false;
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true';
    document.body.appendChild(s);
    await new Promise((r) => setTimeout(r, 100));
    return window.__injected;
  });
  expect(ran).toBe(false);
  expect(problems.filter((p) => !/Content Security Policy/.test(p))).toEqual([]);
  expect(problems.length).toBe(1); // exactly the refused injection
});

test('a cross-site form post is refused and changes nothing', async ({ page }) => {
  const email = `csrf-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  await page.goto('/register');
  await hydrated(page);
  await page.getByLabel('Name').fill('Victim');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a-good-password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/login/);
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a-good-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/connections/);

  const app = new URL(page.url()).origin;
  const sibling = app.replace(/:(\d+)$/, (_, port) => `:${Number(port) + 1}`);
  // The attacker's page, served from a sibling port of the same host.
  for (const target of ['/api/add_sample_database', '/api/logout']) {
    await page.route(`${sibling}/evil`, (route) => route.fulfill({
      contentType: 'text/html',
      body: `<form method="POST" action="${app}${target}"></form><script>document.forms[0].submit()</script>`,
    }));
    const answered = page.waitForResponse((r) => r.url() === `${app}${target}`);
    await page.goto(`${sibling}/evil`);
    const response = await answered;
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain('Cross-site request refused');
    await page.unroute(`${sibling}/evil`);
  }
  // Still signed in, still no database.
  const me = await page.request.get(`${app}/users/me`);
  expect(me.status()).toBe(200);
  const dbs = await page.request.get(`${app}/databases/`);
  expect(await dbs.json()).toEqual([]);
});
