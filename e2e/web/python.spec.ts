/**
 * Python programs from the live controls and the Scenarios view, through the
 * browser host: a shipped example traced live (its workers, its tasks, its
 * output), the assignment's Q6 in real Python, and pasted code that does not
 * compile — each the way a user would do it.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { stop } from './screens';

async function choosePython(page: Page): Promise<void> {
  await page.getByRole('radio', { name: 'Python program' }).click();
  await expect(page.getByTestId('python-interpreter')).toContainText(/^Python 3\.\d+/);
}

test('a shipped example runs traced: its five workers, its ten tasks and what it prints', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await choosePython(page);
  await page.getByLabel('Example', { exact: true }).selectOption('q1_squares');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 30_000 });
  await expect(page.getByTestId('stat-done')).toHaveText('10');
  // The program's own process and the five workers of its Pool(processes=5), which ran the ten tasks between them.
  await expect(page.getByTestId('worker')).toHaveCount(6);
  const tasks = await page.getByTestId('worker-tasks').allTextContents();
  expect(tasks.map(Number).reduce((a, b) => a + b, 0)).toBe(10);
  expect(tasks.filter((n) => Number(n) > 0).length).toBeLessThanOrEqual(5);
  const lines = page.getByTestId('console-line');
  await expect(lines.filter({ hasText: '[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]' })).toHaveCount(1);
  await expect(lines.last()).toContainText('All squares calculated with multiprocessing');
});

test('pasted code with a syntax error: Run says why the program failed, naming the line', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await choosePython(page);
  await page.getByRole('radio', { name: 'paste code' }).click();
  // An empty editor blocks Run and names the box.
  await expect(page.getByTestId('form-problem')).toHaveText(/Fix “Code” to run/);
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeDisabled();
  await page.getByLabel('Code', { exact: true }).fill('print("hello"\nx = = 2\n');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('failed', { timeout: 30_000 });
  // The traceback's end, in full where Run is: the line and what is wrong with it.
  await expect(page.getByTestId('run-error')).toContainText('line 1');
  await expect(page.getByTestId('run-error')).toContainText('SyntaxError');
});

test('a script path is typed: the browser host has no file dialog, and says so', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await choosePython(page);
  await page.getByRole('radio', { name: 'script file' }).click();
  await expect(page.getByText('This host has no file dialog')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Choose…' })).toHaveCount(0);
  await expect(page.getByTestId('form-problem')).toHaveText(/Fix “Script path” to run/);
  await page.getByLabel('Script path', { exact: true }).fill('/nonexistent/crunch.py');
  await expect(page.getByTestId('form-problem')).toHaveCount(0);
});

test('Scenarios: Q6 in real Python prints its four lines in some order, then the last', async ({
  page,
  hostUrl,
}, testInfo) => {
  await page.goto(hostUrl);
  await page.getByRole('tab', { name: 'Scenarios' }).click();
  await page.getByRole('button', { name: /^Q6\b/ }).click();
  await page.getByRole('radio', { name: 'real Python' }).click();
  await page.getByRole('button', { name: /^Run( again)?$/ }).click();
  await expect(page.getByTestId('scenario-status')).toHaveText('done', { timeout: 30_000 });
  const lines = await page.getByTestId('output-line').allTextContents();
  expect(lines).toHaveLength(5);
  expect(lines.slice(0, 4).sort()).toEqual([1, 2, 3, 4].map((n) => `Process ${n}: The square of ${n} is ${n * n}.`));
  expect(lines[4]).toBe('All processes have finished.');
  await stop(page, testInfo, 'scenarios-q6-python');
});

test('Sweep runs the Live view’s Python program at every pool size, its pools sized to each', async ({
  page,
  hostUrl,
}) => {
  await page.goto(hostUrl);
  await choosePython(page);
  await page.getByLabel('Example', { exact: true }).selectOption('q4_pool');
  await page.getByRole('tab', { name: 'Sweep' }).click();
  await page.getByRole('radio', { name: 'Python program' }).click();
  await expect(page.getByTestId('sweep-program')).toContainText('q4_pool.py');
  const largest = page.getByRole('slider', { name: 'Largest pool' });
  await largest.focus();
  await largest.press('Home');
  await page.getByRole('button', { name: 'Sweep', exact: true }).click();
  await expect(page.getByTestId('sweep-row')).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId('job-progress')).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId('sweep-row').first()).toContainText('1');
});
