import { expect, test } from './fixtures.ts';

test.describe('public pages', () => {
  test('home page links to the principles and the appeal', async ({ page, expectAccessible }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Social media principles and appeals');
    await expect(page.getByRole('link', { name: 'Read our social media principles' })).toHaveAttribute(
      'href',
      '/principles',
    );
    await expect(page.getByRole('link', { name: 'Skip to main content' })).toHaveAttribute('href', '#maincontent');
    await expect(page.getByRole('banner')).toContainText('Norfolk and Suffolk NHS Foundation Trust');
    await expect(page.getByRole('banner')).toContainText('Social media principles and appeals');
    const footer = page.getByRole('contentinfo');
    for (const name of [
      'Accessibility statement',
      'Privacy notice',
      'Social media principles',
      'Ask us to look again at a decision',
    ]) {
      await expect(footer.getByRole('link', { name })).toBeVisible();
    }
    await expectAccessible(page);
  });

  test('/principles shows the version in force, its date and crisis signposting', async ({
    page,
    expectAccessible,
  }) => {
    // Other specs may publish newer versions: check that a version is shown, not which one.
    await page.goto('/principles');
    await expect(page).toHaveTitle(/^Social media principles – /);
    await expect(page.getByTestId('version-number')).toHaveText(/^\d+\.\d+$/);
    await expect(page.getByText(/in force from\s+\d{1,2} \w+ \d{4}/)).toBeVisible();
    await expect(page.getByRole('heading', { name: /If you need help in a crisis/ })).toBeVisible();
    // In the crisis card, and in the trust's own text ("see Help in a crisis"), to the same page.
    await expect(page.getByRole('link', { name: 'Help in a crisis' }).first()).toBeVisible();
    // The grounds are either listed under "Taking action" in the text itself or in a list of their own.
    await expect(page.getByRole('heading', { name: /^(Grounds for action|Taking action)$/ }).first()).toBeVisible();
    await expect(page.locator('li[id^="ground-"]').first()).toBeVisible();
    await expectAccessible(page);
  });

  test('/principles/1.0 is a permalink to version 1.0', async ({ page, expectAccessible }) => {
    const response = await page.goto('/principles/1.0');
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Our social media principles, version 1.0');
    await expect(page.getByTestId('version-number')).toHaveText('1.0');
    // The trust's page carries no date: the page says so rather than inventing one.
    await expect(page.getByText('in force from a date not known')).toBeVisible();
    await expect(page.locator('#ground-irrelevant-advertising')).toHaveText('Contains irrelevant advertising');
    await expect(page.locator('li[id^="ground-"]')).toHaveCount(10);
    // Word for word as published, including the two sentences an earlier seed rewrote and dropped.
    await expect(
      page.getByText(
        'If you do not agree with our decision then please email and we will explain why the decision was made.',
      ),
    ).toBeVisible();
    await expect(page.getByText('If you have any question please get in touch by emailing')).toBeVisible();
    await expect(page.getByText('look at it again')).toHaveCount(0);
    await expectAccessible(page);
  });

  test('an unknown address gets the NHS-styled 404 page', async ({ page, expectAccessible }) => {
    for (const path of ['/no-such-page', '/principles/9.9', '/principles/abc']) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
    }
    await expectAccessible(page);
  });

  test('/healthz answers ok as JSON', async ({ request }) => {
    const response = await request.get('/healthz');
    expect(response.status()).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  test('no page asks for anything from another site', async ({ page }) => {
    const outside: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.hostname !== '127.0.0.1') outside.push(r.url());
    });
    for (const path of ['/', '/principles', '/principles/1.0', '/nope']) await page.goto(path);
    expect(outside).toEqual([]);
  });

  test('every response carries the security headers', async ({ request }) => {
    const response = await request.get('/principles');
    const headers = response.headers();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBeTruthy();
    expect(headers['permissions-policy']).toBeTruthy();
  });

  test('a cross-site form post is refused with the styled 403 page', async ({ request }) => {
    const response = await request.post('/principles', {
      headers: { Origin: 'https://evil.example' },
      form: { a: 'b' },
    });
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain('You cannot do that');
  });

  test('pages fit a 320 px wide screen without horizontal scrolling', async ({ page }) => {
    await page.setViewportSize({ width: 320, height: 800 });
    for (const path of ['/', '/principles']) {
      await page.goto(path);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
  });
});
