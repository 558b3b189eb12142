/**
 * The transparency report on seeded data: figures on the page equal the CSV and the JSON, with
 * small numbers suppressed everywhere. Rows are written straight into the server's database
 * for 2021, a year no other test uses, so absolute figures are known.
 */
import { inArray, sql } from 'drizzle-orm';
import type { cases } from '../../db/schema.ts';
import { tablesOf } from '../../db/dialect/index.ts';
import { seedOnce } from './e2e-database.ts';
import { expect, test } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { validateHtml } from '../support/vnu.ts';

const YEAR = '2021';

type NewCase = typeof cases.$inferInsert;

async function seed(): Promise<void> {
  await seedOnce('E2E-TR-', async (tx, versionId) => {
    const { cases, caseActions, caseGrounds, appeals } = tablesOf(tx);
    let n = 0;
    const addCase = async (
      iso: string,
      platform: NewCase['platform'],
      detectedBy: NewCase['detectedBy'],
      automated: boolean,
      action: (typeof caseActions.$inferInsert)['action'],
      ground: string,
    ) => {
      const [added] = await tx
        .insert(cases)
        .values({
          reference: `E2E-TR-${++n}`,
          platform,
          principleVersionId: versionId,
          actionAt: new Date(Date.parse(iso)),
          detectedBy,
          automated,
          recordedBy: 1,
        })
        .returning({ id: cases.id });
      await tx.insert(caseActions).values({ caseId: added!.id, action });
      await tx.insert(caseGrounds).values({ caseId: added!.id, groundCode: ground });
    };
    // March 2021: 12 on Facebook, 3 on Instagram (<5, so Facebook becomes [c]).
    for (let i = 0; i < 12; i++)
      await addCase(
        `2021-03-${String(i + 1).padStart(2, '0')}T12:00:00Z`,
        'facebook',
        'own-monitoring',
        false,
        'hidden',
        'abusive',
      );
    for (let i = 0; i < 3; i++)
      await addCase(`2021-03-2${i}T12:00:00Z`, 'instagram', 'public-report', true, 'deleted', 'irrelevant-advertising');
    // June 2021: 8 on LinkedIn, all found by our own monitoring, none automated.
    for (let i = 0; i < 8; i++)
      await addCase(`2021-06-1${i}T12:00:00Z`, 'linkedin', 'own-monitoring', false, 'hidden', 'abusive');
    // July 2021: 6 decisions taking 2, 4, 6, 8, 12, 20 working days (median 6, p90 20; 4 of 6 within 10);
    // 5 upheld, 1 overturned.
    for (const [i, days] of [2, 4, 6, 8, 12, 20].entries()) {
      const at = new Date(Date.parse(`2021-07-0${i + 1}T12:00:00Z`));
      await tx.insert(appeals).values({
        reference: `E2E-TR-A${i}`,
        status: 'decided',
        receivedAt: at,
        dueAt: at,
        decidedAt: at,
        outcome: i < 5 ? 'upheld' : 'overturned',
        workingDaysToDecision: days,
      });
    }
    // Was the person told? March: 10 of the 12 Facebook cases (10 of 15 told); June: all 8.
    const told = [...Array.from({ length: 10 }, (_, i) => i + 1), ...Array.from({ length: 8 }, (_, i) => i + 16)];
    await tx
      .update(cases)
      .set({ noticeSentAt: sql`${cases.actionAt} + 3600000`, noticeMethod: 'reply' })
      .where(
        inArray(
          cases.reference,
          told.map((i) => `E2E-TR-${i}`),
        ),
      );
  });
}

/** Every figure on the page, keyed "table|period|category". */
async function pageFigures(page: Page): Promise<Map<string, string>> {
  const cells = await page.locator('table[id$="-table"] td[data-category]').evaluateAll((tds) =>
    tds.map((td) => {
      const table = td.closest('table')!.id.replace(/-table$/, '');
      const period = td.closest('tr')!.getAttribute('data-period');
      return [`${table}|${period}|${td.getAttribute('data-category')}`, td.textContent!.trim()] as [string, string];
    }),
  );
  return new Map(cells);
}

/** A file value as the page shows it. */
function asShown(key: string, value: string | number): string {
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    const n = Number(value);
    return key.endsWith('|within-target-percent') || key.endsWith('|told-percent')
      ? `${n}%`
      : n.toLocaleString('en-GB');
  }
  return value;
}

function parseCsv(text: string): string[][] {
  // Our CSV quotes only labels; values never contain commas or quotes.
  return text
    .trimEnd()
    .split('\r\n')
    .map((line) => {
      const out: string[] = [];
      let cell = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i]!;
        if (quoted) {
          if (ch === '"' && line[i + 1] === '"') {
            cell += '"';
            i++;
          } else if (ch === '"') quoted = false;
          else cell += ch;
        } else if (ch === '"') quoted = true;
        else if (ch === ',') {
          out.push(cell);
          cell = '';
        } else cell += ch;
      }
      out.push(cell);
      return out;
    });
}

test.describe('transparency report', () => {
  test.beforeAll(() => seed());

  for (const view of ['month', 'quarter'] as const) {
    test(`by ${view}: the page, the CSV and the JSON publish the same figures`, async ({
      page,
      request,
      expectAccessible,
    }) => {
      await page.goto('/transparency');
      await page.getByLabel(view === 'month' ? 'Month' : 'Quarter', { exact: true }).check();
      await page.getByLabel(YEAR, { exact: true }).check();
      await page.getByRole('button', { name: 'Show figures' }).click();
      await expect(page).toHaveURL(new RegExp(`view=${view}&range=${YEAR}`));
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Transparency report');

      const shown = await pageFigures(page);
      expect(shown.size).toBeGreaterThan(50);

      const csvResponse = await request.get(`/transparency.csv?view=${view}&range=${YEAR}`);
      expect(csvResponse.status()).toBe(200);
      expect(csvResponse.headers()['content-type']).toContain('text/csv');
      expect(csvResponse.headers()['content-disposition']).toBe(
        `attachment; filename="transparency-${view}-${YEAR}.csv"`,
      );
      const [header, ...rows] = parseCsv(await csvResponse.text());
      expect(header).toEqual([
        'table',
        'period',
        'period_start',
        'period_end',
        'category',
        'category_label',
        'unit',
        'value',
      ]);
      const csv = new Map(
        rows.filter((r) => r[0] !== 'open-past-target').map((r) => [`${r[0]}|${r[1]}|${r[4]}`, r[7]!]),
      );

      const json = (await (await request.get(`/transparency.json?view=${view}&range=${YEAR}`)).json()) as {
        licence: { name: string };
        figures: { table: string; period: string; category: string; value: string | number }[];
      };
      expect(json.licence.name).toBe('Open Government Licence v3.0');
      const fromJson = new Map(
        json.figures
          .filter((f) => f.table !== 'open-past-target')
          .map((f) => [`${f.table}|${f.period}|${f.category}`, f.value]),
      );

      // Same set of figures, same values, everywhere.
      expect([...csv.keys()].sort()).toEqual([...shown.keys()].sort());
      expect([...fromJson.keys()].sort()).toEqual([...shown.keys()].sort());
      for (const [key, value] of shown) {
        expect(asShown(key, csv.get(key)!), `CSV ${key}`).toBe(value);
        expect(asShown(key, fromJson.get(key)!), `JSON ${key}`).toBe(value);
      }
      // No count from 1 to 4 anywhere.
      for (const [key, value] of fromJson) {
        if (typeof value === 'number' && !/\|(median|p90|within-target-percent|told-percent)$/.test(key))
          expect(value === 0 || value >= 5, key).toBe(true);
      }

      if (view === 'month') {
        // Absolute checks on the seeded rows.
        expect(shown.get('cases-by-platform|2021-03|instagram')).toBe('<5');
        expect(shown.get('cases-by-platform|2021-03|facebook')).toBe('[c]');
        expect(shown.get('cases-by-platform|2021-03|total')).toBe('15');
        expect(shown.get('cases-by-platform|2021-06|linkedin')).toBe('8');
        expect(shown.get('cases-by-automation|2021-06|no')).toBe('8');
        expect(shown.get('actions-by-type|2021-03|deleted')).toBe('<5');
        expect(shown.get('actions-by-type|2021-03|hidden')).toBe('12');
        expect(shown.get('actions-by-ground|2021-03|abusive')).toBe('12');
        expect(shown.get('decision-times|2021-07|median')).toBe('6');
        expect(shown.get('decision-times|2021-07|p90')).toBe('20');
        expect(shown.get('decision-times|2021-07|within-target')).toBe('<5');
        expect(shown.get('decision-times|2021-07|within-target-percent')).toBe('[c]');
        expect(shown.get('appeal-outcomes|2021-07|overturned')).toBe('<5');
        expect(shown.get('appeal-outcomes|2021-07|upheld')).toBe('[c]');
        // 5 upheld + [c]… = 6 would pin the overturned at 1 whatever else is hidden, so the total goes too.
        expect(shown.get('appeal-outcomes|2021-07|total')).toBe('[c]');
        expect(shown.get('appeals|2021-07|decided')).toBe('[c]');
        // Share of actions where the person was told: 10 of 15 in March, 8 of 8 in June.
        expect(shown.get('cases-told|2021-03|yes')).toBe('10');
        expect(shown.get('cases-told|2021-03|no')).toBe('5');
        expect(shown.get('cases-told|2021-03|total')).toBe('15');
        expect(shown.get('cases-told|2021-03|told-percent')).toBe('67%');
        expect(shown.get('cases-told|2021-06|yes')).toBe('8');
        expect(shown.get('cases-told|2021-06|told-percent')).toBe('100%');
        expect(shown.get('cases-told|2021-05|told-percent')).toBe('[z]');
        expect(csv.get('cases-told|2021-03|told-percent')).toBe('67');
        expect(fromJson.get('cases-told|2021-03|told-percent')).toBe(67);
        await expect(page.getByRole('heading', { name: 'Share of actions where the person was told' })).toBeVisible();
        const ground = page.getByRole('table', { name: /Grounds for action cited/ });
        await expect(ground.getByRole('columnheader', { name: 'Abuse towards people' })).toBeVisible();
      } else {
        // March has a <5, so the first quarter is [c] for Facebook and Instagram; Q2 is all LinkedIn.
        expect(shown.get('cases-by-platform|2021-Q1|instagram')).toBe('[c]');
        expect(shown.get('cases-by-platform|2021-Q1|facebook')).toBe('[c]');
        expect(shown.get('cases-by-platform|2021-Q2|linkedin')).toBe('8');
        expect(shown.get('decision-times|2021-Q3|median')).toBe('6');
      }

      // Charts are accessible images with a title and description.
      const charts = page.getByRole('img', { name: /Cases by platform/ });
      await expect(charts).toHaveCount(1);
      await expect(page.locator('svg.app-chart__svg[role="img"] > title')).toHaveCount(8);
      await expect(page.locator('svg.app-chart__svg[role="img"] > desc')).toHaveCount(8);
      await expect(page.locator('[style]')).toHaveCount(0);
      await expect(page.getByRole('link', { name: 'Open Government Licence v3.0' })).toHaveAttribute(
        'href',
        /open-government-licence\/version\/3/,
      );
      await expectAccessible(page);
    });
  }

  test('the default is the last 12 months by month, and bad choices get an error, not a crash', async ({
    page,
    request,
    expectAccessible,
  }) => {
    await page.goto('/transparency');
    await expect(page.getByLabel('Month', { exact: true })).toBeChecked();
    await expect(page.getByLabel('The last 12 months')).toBeChecked();
    await expect(page.getByRole('table', { name: /Cases by platform/ }).getByRole('row')).toHaveCount(13);
    await expectAccessible(page);

    const response = await page.goto('/transparency?view=fortnight&range=1066');
    expect(response?.status()).toBe(400);
    await expect(page).toHaveTitle(/^Error: Transparency report/);
    await expect(page.getByRole('alert')).toContainText('Select whether to show figures by month or by quarter');
    await expect(page.getByRole('alert')).toContainText('Select the last 12 months or one of the years listed');
    await expectAccessible(page);
    expect((await request.get('/transparency.csv?view=fortnight')).status()).toBe(400);
    expect((await request.get('/transparency.json?range=abc')).status()).toBe(400);
  });

  test('is valid HTML, with its inline SVG charts (Nu Html Checker)', async ({ request }) => {
    const documents = [];
    for (const path of [
      `/transparency?view=month&range=${YEAR}`,
      `/transparency?view=quarter&range=${YEAR}`,
      '/transparency?view=x',
    ]) {
      documents.push({ name: path, html: await (await request.get(path)).text() });
    }
    expect(await validateHtml(documents)).toEqual([]);
  });

  test('fits a 320 px screen without the page scrolling sideways', async ({ page }) => {
    await page.setViewportSize({ width: 320, height: 800 });
    await page.goto(`/transparency?view=month&range=${YEAR}`);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
