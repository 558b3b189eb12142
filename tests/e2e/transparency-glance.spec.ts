/**
 * The transparency report at a glance (issue 19 point 10): the last complete quarter's headline
 * first, charts of nothing but zeros said in one line, and the month under way shown as
 * provisional, kept out of the tables and the downloads unless asked for. Rows are written into
 * the server's database for the last complete quarter (worked out from today) and this month,
 * under references no other test uses, through a connection of this test's own: the server's
 * cached figures must notice them (src/lib/transparency/report.ts noticeOtherWriters), whichever specs
 * loaded /transparency before. JavaScript is off.
 */
import { TZDate } from '@date-fns/tz';
import { tablesOf } from '../../db/dialect/index.ts';
import { seedOnce } from './e2e-database.ts';
import { validateHtml } from '../support/vnu.ts';
import { expect, test } from './fixtures.ts';

const now = new TZDate(Date.now(), 'Europe/London');
const monthIndex = now.getFullYear() * 12 + now.getMonth();
const lastQuarter = Math.floor(monthIndex / 3) - 1;
const quarterYear = Math.floor(lastQuarter / 4);
const firstMonth = (lastQuarter % 4) * 3; // 0-based month of the quarter's first month
const at = (monthOffset: number, day: number) =>
  new TZDate(quarterYear, firstMonth + monthOffset, day, 12, 0, 0, 'Europe/London').getTime();
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const quarterLabel = `${MONTHS[firstMonth]} to ${MONTHS[firstMonth + 2]} ${quarterYear}`;
const thisMonthLabel = `${MONTHS[now.getMonth()]} ${now.getFullYear()}`;
/** A year offered in the report with no activity at all. */
const EMPTY_YEAR = now.getFullYear() - 8;
const thisMonthKey = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;

async function seed(): Promise<void> {
  await seedOnce('E2E-GL-', async (tx, versionId) => {
    const { cases, caseActions, appeals } = tablesOf(tx);
    const addCase = async (reference: string, actionAt: number) => {
      const [added] = await tx
        .insert(cases)
        .values({
          reference,
          platform: 'facebook',
          principleVersionId: versionId,
          actionAt: new Date(actionAt),
          detectedBy: 'own-monitoring',
          automated: false,
          recordedBy: 1,
        })
        .returning({ id: cases.id });
      await tx.insert(caseActions).values({ caseId: added!.id, action: 'hidden' });
    };
    // The last complete quarter: 20 cases in its first month; in its second, 10 appeals
    // received and decided, 5 upheld and 5 overturned, 5 within 10 working days and 5 not.
    for (let i = 0; i < 20; i++) await addCase(`E2E-GL-Q${i}`, at(0, 2 + i));
    for (const [i, days] of [2, 4, 6, 8, 10, 11, 12, 14, 16, 20].entries()) {
      const t = new Date(at(1, 2 + i));
      await tx.insert(appeals).values({
        reference: `E2E-GL-A${i}`,
        status: 'decided',
        receivedAt: t,
        dueAt: t,
        decidedAt: t,
        outcome: i % 2 === 0 ? 'upheld' : 'overturned',
        workingDaysToDecision: days,
      });
    }
    // One case long ago, so that the year after it is offered and has nothing in it.
    await addCase('E2E-GL-OLD', new TZDate(EMPTY_YEAR - 1, 11, 15, 12, 0, 0, 'Europe/London').getTime());
    // This month so far: 6 cases, a minute ago at the latest.
    for (let i = 0; i < 6; i++) await addCase(`E2E-GL-M${i}`, Date.now() - 60_000 - i * 1000);
  });
}

test.describe('transparency at a glance', () => {
  test.beforeAll(() => seed());

  test('opens with the last complete quarter in headline figures, then the month under way marked provisional', async ({
    page,
    expectAccessible,
  }) => {
    await page.goto('/transparency');
    const main = page.getByRole('main');
    // The headline comes before any table.
    const headings = (await main.getByRole('heading', { level: 2 }).allTextContents()).map((h) => h.trim());
    expect(headings[0]).toBe(`At a glance: ${quarterLabel}`);
    expect(headings[1]).toMatch(new RegExp(`^${thisMonthLabel} so far\\s*Provisional$`));
    const headline = page.getByTestId('headline-figures');
    const figure = (id: string) => headline.locator(`[data-figure="${id}"] dd`);
    await expect(figure('cases')).toHaveText('20');
    await expect(figure('appeals-received')).toHaveText('10');
    await expect(figure('appeals-decided')).toHaveText('10');
    await expect(figure('overturned')).toHaveText('50%');
    await expect(figure('median-days')).toHaveText('10 working days');
    await expect(figure('within-target')).toHaveText('50%');
    await expect(headline.getByText('Appeals decided within our target of 10 working days')).toBeVisible();

    const soFar = page.getByTestId('month-to-date-figures');
    await expect(page.locator('#month-to-date')).toContainText('will change until the month ends');
    // Times the GOV.UK way: "10:15am", "9am", "midday", "midnight".
    await expect(page.locator('#month-to-date')).toContainText(
      /counted at \d{1,2} \w+ \d{4}, (?:\d{1,2}(?::\d{2})?[ap]m|midday|midnight)\./,
    );
    await expect(page.locator('#month-to-date')).not.toContainText(/\d (?:am|pm)\b|\d:00[ap]m/);
    const casesSoFar = Number(await soFar.locator('[data-figure="cases"] dd').textContent());
    expect(casesSoFar).toBeGreaterThanOrEqual(6);
    // The month under way is in no table: every table row is a complete month.
    await expect(page.locator(`table tr[data-period="${thisMonthKey}"]`)).toHaveCount(0);
    await expectAccessible(page);
  });

  test('the downloads leave the month under way out unless asked for', async ({ request }) => {
    const plain = await (await request.get('/transparency.csv')).text();
    expect(plain).not.toContain('month-to-date');
    expect(plain).not.toContain(`,${thisMonthKey},`);
    const withIt = await request.get('/transparency.csv?include=provisional');
    expect(withIt.status()).toBe(200);
    expect(withIt.headers()['content-disposition']).toBe(
      'attachment; filename="transparency-month-last-12-months-with-provisional.csv"',
    );
    const rows = (await withIt.text())
      .trimEnd()
      .split('\r\n')
      .filter((r) => r.startsWith('month-to-date,'));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(
      new RegExp(`^month-to-date,${thisMonthKey},[\\d-]+,[\\d-]+,cases,.*provisional.*,cases,\\d+$`),
    );
    expect(Number(rows[0]!.split(',').at(-1))).toBeGreaterThanOrEqual(6);

    const json = (await (await request.get('/transparency.json')).json()) as {
      figures: { table: string }[];
      provisionalIncluded: boolean;
    };
    expect(json.provisionalIncluded).toBe(false);
    expect(json.figures.some((f) => f.table === 'month-to-date')).toBe(false);
    const jsonWith = (await (await request.get('/transparency.json?include=provisional')).json()) as {
      figures: { table: string; period: string }[];
      provisionalIncluded: boolean;
    };
    expect(jsonWith.provisionalIncluded).toBe(true);
    expect(jsonWith.figures.filter((f) => f.table === 'month-to-date').map((f) => f.period)).toEqual([
      thisMonthKey,
      thisMonthKey,
      thisMonthKey,
    ]);
    expect((await request.get('/transparency.csv?include=everything')).status()).toBe(400);
    expect((await request.get('/transparency.json?include=everything')).status()).toBe(400);
  });

  test('a chart of nothing but zeros says so in one line', async ({ page }) => {
    // A year with no activity at all: every chart is one line.
    const response = await page.goto(`/transparency?view=month&range=${EMPTY_YEAR}`);
    expect(response?.status()).toBe(200);
    const lines = page.getByTestId('all-zero');
    // Eight report charts and the satisfaction chart.
    await expect(lines).toHaveCount(9);
    await expect(lines.first()).toHaveText('None in these periods: every figure below is 0.');
    await expect(page.locator('svg.app-chart__svg')).toHaveCount(0);
    // The tables are still there for anyone who wants the zeros.
    await expect(page.getByRole('table', { name: /Cases by platform/ })).toBeVisible();
  });

  test('passes the Nu Html Checker and axe in each state', async ({ page, request, expectAccessible }) => {
    const paths = ['/transparency', '/transparency?view=quarter', `/transparency?view=month&range=${EMPTY_YEAR}`];
    const documents = [];
    for (const path of paths) documents.push({ name: path, html: await (await request.get(path)).text() });
    expect(await validateHtml(documents)).toEqual([]);
    await page.goto(paths[2]!);
    await expectAccessible(page);
  });
});
