import type { Reporter, TestModule } from 'vitest/node';

/**
 * After vitest's own report, one plain closing line — `vitest: N passed, N failed, N skipped` — that CI reads to
 * tell a run that tested nothing from one that passed. A file that failed without a failing test (it did not load,
 * or a beforeAll hook threw and its tests were skipped) counts as one failure.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const n = { passed: 0, failed: 0, skipped: 0 };
    for (const m of modules) {
      let failedHere = 0;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') n.passed++;
        else if (state === 'failed') failedHere++;
        else n.skipped++;
      }
      n.failed += m.state() === 'failed' && failedHere === 0 ? 1 : failedHere;
    }
    n.failed += unhandledErrors.length;
    process.stdout.write(`\nvitest: ${n.passed} passed, ${n.failed} failed, ${n.skipped} skipped\n`);
  }
}
