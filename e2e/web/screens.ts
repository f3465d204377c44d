/**
 * What the screenshot specs share: a screenshot that is also a layout check
 * (nothing cut, overflowing, overlapping or outside the window, no developers'
 * words on screen), written to docs/ with POOLSCOPE_DOCS=1, and the controls
 * those specs set the way a user does.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { projectRoot } from '../../electron/host/build';
import { expect } from './fixtures';

export const DOCS = process.env.POOLSCOPE_DOCS === '1' ? join(projectRoot, 'docs') : null;

/** Scroll containers that are meant to hold more than they show. */
const SCROLLERS = [
  '.worker-list',
  '.console',
  '.controls-scroll',
  '.history-list ul',
  '.output-box',
  '.menu',
  // Timelines of several runs, one under another.
  '.stack',
];

/**
 * What does not fit: text cut by an ellipsis or hidden overflow, a panel whose
 * content spills over (or is hidden by) its edge, a scroll box that hides
 * content and is not a list, panels that overlap, anything outside the window.
 */
async function layoutProblems(page: Page): Promise<string[]> {
  // A string, because this file compiles without DOM types (as ui.spec.ts does).
  return (await page.evaluate(`(${LAYOUT_PROBLEMS})(${JSON.stringify(SCROLLERS)})`)) as string[];
}

const LAYOUT_PROBLEMS = `(scrollers) => {
    const problems = [];
    const name = (el) =>
      \`\${el.tagName.toLowerCase()}\${el.id ? \`#\${el.id}\` : ''}.\${[...el.classList].join('.')} "\${(el.textContent ?? '').trim().slice(0, 40)}"\`;
    const shown = (el) => {
      if (el.closest('[hidden], [inert] [aria-hidden="true"]')) return false;
      const style = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return style.display !== 'none' && style.visibility !== 'hidden' && r.width > 0 && r.height > 0;
    };
    const all = [...document.querySelectorAll('#root *')].filter((el) => el instanceof HTMLElement && shown(el));
    for (const el of all) {
      const style = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      if (el.matches('.sr-only')) continue;
      // Inside a list that scrolls, what is out of view is a scroll away, not lost.
      const inScroller = scrollers.some((s) => el.parentElement?.closest(s));
      if (!inScroller && (r.right > innerWidth + 1 || r.bottom > innerHeight + 1))
        problems.push(\`outside the window: \${name(el)}\`);
      const hidesX = style.overflowX === 'hidden' || style.overflowX === 'clip' || style.textOverflow === 'ellipsis';
      const text = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
      if (hidesX && text && el.scrollWidth > el.clientWidth + 1) problems.push(\`text cut: \${name(el)}\`);
      const scrollsY = style.overflowY === 'auto' || style.overflowY === 'scroll';
      const hidesY = style.overflowY === 'hidden' || style.overflowY === 'clip';
      const over = el.scrollHeight > el.clientHeight + 2;
      if (over && hidesY && el.classList.contains('panel')) problems.push(\`panel cut: \${name(el)}\`);
      if (over && scrollsY && !scrollers.some((s) => el.matches(s)))
        problems.push(\`content hidden in a scroll box: \${name(el)} (\${el.scrollHeight} > \${el.clientHeight})\`);
    }
    // One percent style ("94%", never "94 %"), and none of the developers' words.
    const text = document.body.innerText;
    for (const match of text.match(/\\d\\s%/g) ?? []) problems.push(\`percent with a space: "\${match}"\`);
    for (const match of text.match(/\\b(the )?seed('s|’s)?\\b/gi) ?? []) problems.push(\`jargon on screen: "\${match}"\`);
    // Each panel inside its column, none over another.
    const panels = all.filter((el) => el.classList.contains('panel'));
    for (let i = 0; i < panels.length; i++) {
      const a = panels[i].getBoundingClientRect();
      for (let j = i + 1; j < panels.length; j++) {
        if (panels[i].contains(panels[j]) || panels[j].contains(panels[i])) continue;
        const b = panels[j].getBoundingClientRect();
        const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 1 && y > 1) problems.push(\`panels overlap: \${name(panels[i])} and \${name(panels[j])}\`);
      }
    }
    return problems;
  }`;

export async function stop(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const { width, height } = page.viewportSize()!;
  const file = `${name}-${width}x${height}.png`;
  const path = testInfo.outputPath(file);
  await page.screenshot({ path, animations: 'disabled' });
  await testInfo.attach(file, { path, contentType: 'image/png' });
  if (DOCS) {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(path, join(DOCS, file));
  }
  expect(await layoutProblems(page), `${name} at ${width}×${height}`).toEqual([]);
}
