/**
 * The deb's install script, rendered as electron-builder renders it (its
 * `${macro}` substitution, which refuses unknown macros), so a typo cannot
 * ship an app that aborts on Ubuntu ≥ 23.10 for want of a SUID sandbox helper.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../host/build';

const packageJson = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
  build: { productName: string; deb?: { afterInstall?: string } };
};

/** app-builder-lib's writeConfigFile: `${name}` replaced from its options, anything else an error. */
function render(template: string, macros: Record<string, string>): string {
  return template.replace(/\${([a-zA-Z]+)}/g, (_match, name: string) => {
    if (!(name in macros)) throw new Error(`Macro ${name} is not defined`);
    return macros[name];
  });
}

describe('the deb package', () => {
  const script = packageJson.build.deb?.afterInstall;

  it('installs with our after-install script', () => {
    expect(script).toBe('build/linux/after-install.tpl');
  });

  it('always makes chrome-sandbox SUID root, and still installs the AppArmor profile', () => {
    const rendered = render(readFileSync(join(projectRoot, script ?? ''), 'utf8'), {
      executable: 'poolscope',
      sanitizedProductName: packageJson.build.productName,
    });
    const lines = rendered.split('\n');
    const chmod = lines.findIndex((line) => line.startsWith("chmod 4755 '/opt/Poolscope/chrome-sandbox'"));
    expect(chmod).toBeGreaterThan(0);
    // Unconditional: at the top level of the script, not inside an if.
    const before = lines.slice(0, chmod).join('\n');
    expect((before.match(/^\s*if /gm) ?? []).length).toBe((before.match(/^\s*fi\b/gm) ?? []).length);
    expect(rendered).not.toMatch(/chmod 0755 .*chrome-sandbox/);
    expect(rendered).toContain("APPARMOR_PROFILE_SOURCE='/opt/Poolscope/resources/apparmor-profile'");
    execFileSync('bash', ['-n'], { input: rendered });
  });
});
