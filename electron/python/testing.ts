/**
 * Which cluster engines the Python the host uses can import, for the tests
 * that need them: where one is missing they are skipped, saying so loudly,
 * unless POOLSCOPE_REQUIRE_CLUSTER=1 (CI) makes that a failure.
 */
import { execFileSync } from 'node:child_process';
import { findPython } from './python-process';

function imports(module: string): boolean {
  try {
    execFileSync(findPython(), ['-c', `import ${module}`], { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

export interface ClusterEngines {
  hasDask: boolean;
  hasRay: boolean;
  /** Why a missing engine's tests are skipped, with the fix; null when it is installed. */
  skipReason: { dask: string | null; ray: string | null };
}

/** Looks once per process; throws where an engine is missing and POOLSCOPE_REQUIRE_CLUSTER=1. */
export function clusterEngines(): ClusterEngines {
  const required = process.env.POOLSCOPE_REQUIRE_CLUSTER === '1';
  const has = { dask: imports('distributed'), ray: imports('ray') };
  const skipReason = { dask: null as string | null, ray: null as string | null };
  for (const [engine, name] of [
    ['dask', 'Dask'],
    ['ray', 'Ray'],
  ] as const) {
    if (has[engine]) continue;
    const message = `${name} is not installed in ${findPython()}: .venv/bin/pip install -r python/requirements-cluster.txt`;
    if (required) throw new Error(`POOLSCOPE_REQUIRE_CLUSTER=1 but ${message}`);
    console.warn(`\n  ⚠ SKIPPING the ${name} backend tests: ${message}\n`);
    skipReason[engine] = message;
  }
  return { hasDask: has.dask, hasRay: has.ray, skipReason };
}
