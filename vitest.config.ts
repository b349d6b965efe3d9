import { defineConfig } from 'vitest/config';

/**
 * One suite, tests mirroring the source tree. Files run one at a time in child processes: several load models,
 * native add-ons (onnxruntime, sharp, better-sqlite3, faiss) and images, and the machine has two cores.
 * Long tests (LFW embedded once per machine, 13,233 images a model) get generous timeouts. Speed is measured by
 * bench/, never by a test's clock; the one exception is a behaviour whose bound is the requirement itself (the
 * workbench answering within a second while a job computes, tests/workbench/server/jobs.test.ts).
 */
const SLOW = [
  'tests/cli/**',
  'tests/workbench/server/**',
  'tests/workbench/ui/browser.test.ts',
  'tests/workbench/ui/audit-browser.test.ts',
  'tests/engine/api.test.ts',
  'tests/engine/replay.test.ts',
  'tests/engine/serve.test.ts',
  'tests/engine/replicas.test.ts',
  'tests/engine/checkin-ui.test.ts',
  'tests/pipeline/embed-dataset.test.ts',
  'tests/experiments/budget.test.ts',
  'tests/notebooks-ts/**',
];

export default defineConfig({
  test: {
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60 * 60_000,
    hookTimeout: 60 * 60_000,
    teardownTimeout: 60_000,
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/**/*.test.ts'], exclude: SLOW } },
      { extends: true, test: { name: 'slow', include: SLOW.map((g) => (g.endsWith('.ts') ? g : `${g}/*.test.ts`)) } },
    ],
  },
});
