/** The Live controls driven as a user drives them, for every spec. */
import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/** Opens the app and waits until it has heard from its host. */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('host-info')).toBeVisible();
}

/** Sets the pool size the way a keyboard user would: Home, then arrow keys. */
export async function setPoolSize(page: Page, size: number): Promise<void> {
  const slider = page.getByRole('slider', { name: /pool size/i });
  await slider.focus();
  await slider.press('Home');
  for (let i = 1; i < size; i++) await slider.press('ArrowRight');
  await expect(slider).toHaveAttribute('aria-valuenow', String(size));
}

/** Types a number into a control's box and waits until the control holds it. */
export async function setNumber(page: Page, name: string, value: number): Promise<void> {
  const box = page.getByRole('spinbutton', { name });
  await box.fill(String(value));
  await box.press('Enter');
  await expect(box).toHaveAttribute('aria-valuenow', String(value));
}

/** Chooses a built-in workload, its task count and (optionally) its cost. */
export async function configure(page: Page, workload: string, tasks: number, costMs?: number): Promise<void> {
  await page.getByLabel('Workload', { exact: true }).selectOption(workload);
  await setNumber(page, 'Task count value', tasks);
  if (costMs !== undefined) await setNumber(page, 'Task cost value', costMs);
}
