// The approval page in a real browser (Debian's chromium through playwright-core): an approver
// signs in and answers while agent runs wait, and the runs finish with those answers.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApprovalServer, type ApprovalServer } from '../../src/index.js';
import { refundPolicy, refundRun } from './helpers.js';

const executablePath = process.env.HANDRAIL_CHROMIUM ?? '/usr/bin/chromium';
const token = 'ana-browser-token-0123456789';
let browser: Browser;
let server: ApprovalServer;

describe('the approval page in a browser', () => {
  beforeAll(async () => {
    // `npm test` installs Debian's chromium (scripts/ensure-chromium.sh); without it this fails, never skips.
    if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: run scripts/ensure-chromium.sh or set HANDRAIL_CHROMIUM`);
    [browser, server] = await Promise.all([
      chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] }),
      startApprovalServer({ approvers: { ana: token }, title: 'Refund approvals' }),
    ]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([browser?.close(), server?.close()]);
  });

  async function signIn(page: Page): Promise<void> {
    await page.goto(server.url);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name=token]', token);
    await page.click('button[type=submit]');
    await page.waitForURL(`${server.url}/`);
    expect(await page.textContent('.approver')).toBe('ana');
  }

  async function waitForCards(page: Page, count: number): Promise<void> {
    for (let tries = 0; tries < 100 && server.pending.length < count; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
    await page.goto(server.url);
    expect(await page.locator('article').count()).toBe(count);
  }

  test('an approver signs in, sees the waiting request in context, approves it, and the run finishes', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      const run = refundRun({ channel: server, amount: 250, policy: refundPolicy({ timeout: '30s' }) });
      await signIn(page);
      await waitForCards(page, 1);
      const card = page.locator('article').first();
      expect(await card.locator('.prompt').textContent()).toBe('assistant wants to refund. Approve?');
      expect(await card.locator('.rule').textContent()).toBe('large');
      expect(await card.locator('.reason').textContent()).toBe('refund over 100');
      expect(await card.locator('.policy').textContent()).toMatch(/^refunds sha256:[0-9a-f]+$/);
      expect(JSON.parse((await card.locator('pre.arguments').textContent())!)).toEqual({ order: 'A-7', amount: 250 });
      await card.locator('button.approve').click();
      await page.waitForURL(`${server.url}/`);
      expect(await page.textContent('.flash')).toBe('Recorded: approve for “assistant wants to refund. Approve?”.');
      expect(await page.textContent('.empty')).toBe('Nothing is waiting for an answer.');
      const { refunds, result } = await run;
      expect(refunds).toEqual([{ order: 'A-7', amount: 250 }]);
      expect(result.ended).toMatchObject({ cause: 'stop', reason: 'finished' });
      expect(result.events.find((event) => event.type === 'human-input-received')).toMatchObject({ channel: 'web', by: 'ana' });
      // The session cookie is not readable by scripts.
      expect((await context.cookies()).find((cookie) => cookie.name === 'handrail_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    } finally {
      await context.close();
    }
  });

  test('edit the arguments, reject with a message; hostile text is shown as text', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    let dialogs = 0;
    page.on('dialog', (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    try {
      const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>';
      const edited = refundRun({ channel: server, order: 'E-1', amount: 500, policy: refundPolicy({ timeout: '30s' }) });
      const rejected = refundRun({ channel: server, order: hostile, amount: 300, policy: refundPolicy({ timeout: '30s' }) });
      await signIn(page);
      await waitForCards(page, 2);
      expect(await page.locator('article img, article script').count()).toBe(0);
      expect(await page.locator('article pre.arguments').nth(1).textContent()).toContain(hostile.replaceAll('"', '\\"'));

      const first = page.locator('article').filter({ hasText: 'E-1' });
      await first.locator('textarea[name=args]').fill(JSON.stringify({ order: 'E-1', amount: 90 }));
      await first.locator('form.edit button').click();
      await page.waitForURL(`${server.url}/`);
      const second = page.locator('article').first();
      await second.locator('input[name=message]').fill('not without a receipt');
      await second.locator('button.reject').click();
      await page.waitForURL(`${server.url}/`);

      expect((await edited).refunds).toEqual([{ order: 'E-1', amount: 90 }]);
      const { result, refunds } = await rejected;
      expect(refunds).toEqual([]);
      expect(result.ended).toMatchObject({ cause: 'rejected', reason: 'rejected by ana: not without a receipt' });
      expect(dialogs).toBe(0);

      await page.click('header button[type=submit]');
      await page.waitForURL(`${server.url}/login`);
      await page.goto(server.url);
      expect(new URL(page.url()).pathname).toBe('/login');
    } finally {
      await context.close();
    }
  });
});
