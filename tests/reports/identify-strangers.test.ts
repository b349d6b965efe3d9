import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { ModeResult } from '../../experiments/identification/evaluate.js';
import { groupStrangers } from '../../experiments/identification/strangers.js';
import { challengeHtml, strangersHtml, thumbnailKey } from '../../reports/identify-strangers.js';

const accepted = [
  { image: 'p/x1.jpg', identity: '<Xavier>', matched: 'Ann', score: 0.61 },
  { image: 'p/x2.jpg', identity: '<Xavier>', matched: 'Ann', score: 0.55 },
  { image: 'p/u1.jpg', identity: null, matched: 'Bob', score: 0.5 },
];
const result = (over: Partial<ModeResult>) => ({ model: 'm', mode: 'mean', unknownsAccepted: accepted, ...over }) as unknown as ModeResult;

test('strangers grouped with inlined thumbnails: names escaped, a missing crop and one over the bound marked', () => {
  const strangers = groupStrangers(accepted, { threshold: 0.5, targetFpir: 0.01, nonMated: 40 }, { groups: 20, examples: 4 });
  const faces = {
    images: new Map<string, string | null>([[thumbnailKey('m', 'g/ann.jpg'), 'data:image/jpeg;base64,QUFB'], [thumbnailKey('m', 'p/x1.jpg'), 'data:image/jpeg;base64,QkJC'], [thumbnailKey('m', 'p/x2.jpg'), null]]),
    enrolmentPhoto: new Map([['Ann', 'g/ann.jpg']]),
    bound: 3,
    leftOut: 1,
  };
  const html = strangersHtml([result({ strangers })], faces);
  assert.match(html, /3 of 40 strangers got in/);
  assert.ok(html.includes('&lt;Xavier&gt;') && !html.includes('<Xavier>'), 'identities are escaped');
  assert.ok(html.includes('src="data:image/jpeg;base64,QUFB"'), "the enrolment photo of whom they were taken for");
  assert.ok(html.includes('src="data:image/jpeg;base64,QkJC"'));
  assert.match(html, /title="p\/x2\.jpg">no face</);
  assert.match(html, /title="p\/u1\.jpg">not inlined</);
  assert.match(html, /at most 3 thumbnails; 1 more are marked "not inlined"/);
  assert.match(html, /no identity given/);
  // A run written before grouping existed keeps its plain list.
  assert.match(strangersHtml([result({})], { ...faces, leftOut: 0 }), /<th>stranger image<\/th>.*p\/x1\.jpg/);
  // No measurable target: said, not left blank.
  assert.match(strangersHtml([result({ strangers: null })], { ...faces, leftOut: 0 }), /No FPIR target is measurable/);
});

test('the challenge table: one row per rule, or the reason it was not scored; none without challenge scoring', () => {
  const scores = { images: 10, map5: 0.8125, top1: 0.7, unknown: { predicted: 4, actual: 5, correct: 3, precision: 0.75, recall: 0.6 } };
  const r = result({ challenge: { unknownLabel: '1000', results: [{ rule: 'threshold', description: 'd', threshold: 0.4, thresholdSource: 's', maxDistance: null, minProbability: null, scale: null, scores, noFace: 1, submission: 'submission-m-mean-threshold.csv' }] } });
  const html = challengeHtml([r, result({ model: 'n', challenge: { unknownLabel: '1000', skipped: 'no threshold' } })])!;
  assert.match(html, /<td>threshold<\/td><td>0\.8125<\/td><td>70\.00%<\/td><td>75\.00% \(3 \/ 4\)<\/td><td>60\.00% \(3 \/ 5\)<\/td><td>10 \(1 without a face\)<\/td>/);
  assert.match(html, /not scored: no threshold/);
  assert.equal(challengeHtml([result({ challenge: null })]), null);
});
