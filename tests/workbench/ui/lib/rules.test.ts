import { test } from 'vitest';
import assert from 'node:assert/strict';
import { fixedRule, refusalOf, verificationRules } from '../../../../workbench/ui/lib/rules.js';
import type { ModelMetrics } from '../../../../workbench/ui/lib/api.js';

// The fields the rules read, as an LFW 10-fold run reports them (3,000 impostor comparisons; metrics.json).
const lfw10fold = {
  counts: { genuine: 3000, impostor: 3000, excludedFta: { genuine: 0, impostor: 0 } },
  tarAtFmr: [
    { targetFmr: 1e-2, measurable: true, smallestMeasurableFmr: 1 / 3000, impostorsToBack: 299 },
    { targetFmr: 1e-3, measurable: true, smallestMeasurableFmr: 1 / 3000, impostorsToBack: 2995 },
    { targetFmr: 1e-4, measurable: false, smallestMeasurableFmr: 1 / 3000, impostorsToBack: 29956 },
  ],
} as unknown as ModelMetrics;

test('presets say why a rule is unavailable: not measurable, or too few comparisons to back it', () => {
  const rules = Object.fromEntries(verificationRules(lfw10fold).map((r) => [r.rule, r.unavailable]));
  assert.equal(rules['fmr=0.001'], null);
  assert.equal(rules['fmr=0.0001'], 'not measurable: 3,000 impostor comparisons measure FMR ≥ 3.33e-4');
  assert.equal(rules['fmr-bound=0.001'], null, '3,000 ≥ 2,995: backable with no false match');
  assert.equal(rules['fmr-bound=0.0001'], 'cannot be backed: it takes at least 29,956 impostor comparisons, this run has 3,000');
  assert.equal(rules.eer, null);
});

test('an export request for a rule the run cannot back or does not offer is refused in words, never replaced', () => {
  const rules = [fixedRule(0.3), ...verificationRules(lfw10fold)];
  assert.equal(refusalOf('fmr=0.001', rules), null);
  assert.equal(refusalOf('fixed=0.3', rules), null);
  assert.match(refusalOf('fmr=0.0001', rules)!, /^FMR ≤ 1e-4: not measurable/);
  assert.match(refusalOf('fmr=0.05', rules)!, /does not offer the rule "fmr=0.05"/);
  assert.match(refusalOf('fixed=abc', rules)!, /not a similarity threshold in \[-1, 1\]/);
  assert.match(refusalOf('fixed=5', rules)!, /not a similarity threshold/);
});
