import type { Reporter, TestModule } from 'vitest/node';

/**
 * After vitest's own report, one plain closing line — `vitest: N passed, N failed, N skipped` — that CI reads to
 * tell a run that tested nothing from one that passed. Files that failed to load count as failed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const n = { passed: 0, failed: 0, skipped: 0 };
    for (const m of modules) {
      if (m.state() === 'failed' && [...m.children.allTests()].length === 0) n.failed++;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') n.passed++;
        else if (state === 'failed') n.failed++;
        else n.skipped++;
      }
    }
    n.failed += unhandledErrors.length;
    process.stdout.write(`\nvitest: ${n.passed} passed, ${n.failed} failed, ${n.skipped} skipped\n`);
  }
}
