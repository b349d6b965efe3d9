import { test } from 'vitest';
import assert from 'node:assert/strict';
import { groupStrangers, type AcceptedStranger } from '../../../experiments/identification/strangers.js';

const s = (image: string, identity: string | null, matched: string, score: number): AcceptedStranger => ({ image, identity, matched, score });

test('strangers who got in, grouped by true identity and by whom they were taken for, by hand', () => {
  const accepted = [
    s('x1', 'Xavier', 'Ann', 0.61),
    s('x2', 'Xavier', 'Ann', 0.55),
    s('x3', 'Xavier', 'Bob', 0.52),
    s('y1', 'Yves', 'Ann', 0.7),
    s('u1', null, 'Bob', 0.5),
    s('u2', null, 'Cid', 0.58),
  ];
  const g = groupStrangers(accepted, { threshold: 0.5, targetFpir: 0.01, nonMated: 100 }, { groups: 10, examples: 2 });
  assert.equal(g.accepted, 6);
  assert.equal(g.nonMated, 100);
  // By identity: Xavier 3 (Ann ×2, Bob ×1), the unlabelled 2 (Bob, Cid), Yves 1. Examples: highest scores first.
  assert.deepEqual(g.byIdentity.map((x) => [x.identity, x.accepted, x.takenFor.map((t) => `${t.identity}×${t.count}`), x.examples.map((e) => e.image)]), [
    ['Xavier', 3, ['Ann×2', 'Bob×1'], ['x1', 'x2']],
    [null, 2, ['Bob×1', 'Cid×1'], ['u2', 'u1']],
    ['Yves', 1, ['Ann×1'], ['y1']],
  ]);
  // By whom: Ann 3 (Xavier twice and Yves: 2 distinct people), Bob 2 (Xavier, one unlabelled: 2), Cid 1.
  assert.deepEqual(g.byMatched.map((x) => [x.matched, x.accepted, x.identities, x.examples.map((e) => e.image)]), [
    ['Ann', 3, 2, ['y1', 'x1']],
    ['Bob', 2, 2, ['x3', 'u1']],
    ['Cid', 1, 1, ['u2']],
  ]);
  assert.deepEqual(g.leftOut, { byIdentity: 0, byMatched: 0 });
  // Bounded: two groups listed, the rest counted.
  const b = groupStrangers(accepted, { threshold: 0.5, targetFpir: 0.01, nonMated: 100 }, { groups: 2, examples: 1 });
  assert.deepEqual(b.byMatched.map((x) => x.matched), ['Ann', 'Bob']);
  assert.deepEqual(b.leftOut, { byIdentity: 1, byMatched: 1 });
  assert.equal(b.byIdentity[0].examples.length, 1);
  // Equal counts: the higher best score first (Bob's 0.52 against Cid's 0.58 when both hold one).
  const tie = groupStrangers([s('a', 'P', 'Bob', 0.52), s('b', 'Q', 'Cid', 0.58)], { threshold: 0.5, targetFpir: 0.01, nonMated: 2 }, { groups: 5, examples: 1 });
  assert.deepEqual(tie.byMatched.map((x) => x.matched), ['Cid', 'Bob']);
});
