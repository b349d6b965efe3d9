import { test } from 'vitest';
import assert from 'node:assert/strict';
import { isFrwError } from '../../core/errors.js';
import { DIFFERENT_WORDS, PAIR_DECISION_COLUMNS, PAIR_IMAGE_COLUMNS, SAME_WORDS, pairColumns, parseDecision, parsePairSheet } from '../../datasets/pair-sheet.js';

const ROOT = '/data/set';

test('every decision spelling parses, in any case, under every accepted column name', () => {
  const spellings: Array<[string, boolean]> = [['Yes', true], ['No', false], ['1', true], ['0', false], ['true', true], ['FALSE', false], ['Same', true], ['DIFFERENT', false], [' yes ', true]];
  for (const [word, same] of spellings) assert.equal(parseDecision(word), same, word);
  for (const w of [...SAME_WORDS, ...DIFFERENT_WORDS]) assert.notEqual(parseDecision(w.toUpperCase()), undefined, w);
  assert.equal(parseDecision('maybe'), undefined);
  for (const [x, y] of PAIR_IMAGE_COLUMNS) {
    for (const d of PAIR_DECISION_COLUMNS) {
      const text = `${x.toUpperCase()},${y},${d}\n` + spellings.map(([w], k) => `p${k}.jpg,q${k}.jpg,${w}`).join('\n');
      const r = parsePairSheet(text, 'pairs.csv', ROOT);
      assert.deepEqual(r.pairs.map((p) => p.same), spellings.map(([, s]) => s), `${x}/${y}/${d}`);
      assert.deepEqual(r.problems, []);
    }
  }
});

test('deepface\'s layout: file_x,file_y,Decision with Yes/No, columns in any order, extra columns ignored', () => {
  const r = parsePairSheet('Decision,note,file_y,file_x\r\nYes,,img2.jpg,img1.jpg\r\nNo,"a, b",sub/img3.jpg,./img1.jpg\r\n', 'master.csv', ROOT);
  assert.deepEqual(r.pairs, [{ a: 'img1.jpg', b: 'img2.jpg', same: true }, { a: 'img1.jpg', b: 'sub/img3.jpg', same: false }]);
  assert.deepEqual(r.lines, [2, 3]);
});

test('a decision that is no accepted spelling refuses the sheet, naming the column, its values and the first line', () => {
  const text = 'file_x,file_y,Decision\na.jpg,b.jpg,Yes\nc.jpg,d.jpg,No\ne.jpg,f.jpg,Maybe\ng.jpg,h.jpg,maybe\ni.jpg,j.jpg,Perhaps\n';
  assert.throws(() => parsePairSheet(text, 'master.csv', ROOT), (e: unknown) => {
    assert.ok(isFrwError(e, 'BAD_INPUT'));
    assert.match(e.message, /^master\.csv: column "Decision" must hold yes\/no, 1\/0, true\/false or same\/different/);
    assert.match(e.message, /it holds "Maybe", "maybe", "Perhaps", first on line 4 \("Maybe"\)/);
    assert.match(e.message, /values found: "Yes", "No", "Maybe", "maybe", "Perhaps"/);
    assert.deepEqual([e.details?.column, e.details?.line], ['Decision', 4]);
    return true;
  });
});

test('a header without pair columns, or with two candidates for one, is refused with what is accepted', () => {
  assert.throws(() => parsePairSheet('first,second,verdict\na.jpg,b.jpg,1\n', 'p.csv', ROOT), (e: unknown) => isFrwError(e, 'BAD_INPUT') && /no accepted column names.*file_x\/file_y, img1\/img2.*decision, same, label, match, is_same/.test(e.message));
  assert.throws(() => parsePairSheet('img1,img2,same,label\na.jpg,b.jpg,1,1\n', 'p.csv', ROOT), (e: unknown) => isFrwError(e, 'BAD_INPUT') && /several decision columns \(same, label\)/.test(e.message));
  assert.throws(() => parsePairSheet('a,b,left,right,same\n', 'p.csv', ROOT), (e: unknown) => isFrwError(e, 'BAD_INPUT') && /several image column pairs \(a\/b, left\/right\)/.test(e.message));
  assert.throws(() => parsePairSheet('', 'p.csv', ROOT), (e: unknown) => isFrwError(e, 'BAD_INPUT') && /header/.test(e.message));
  assert.ok('why' in pairColumns(['file_x', 'same']), 'one image column is not a pair');
});

test('malformed rows and paths that leave the folder are counted bad rows, never pairs', () => {
  const text = [
    'file_x,file_y,same',
    'a.jpg,b.jpg,yes', // 2: fine
    'a.jpg,,no', // 3: empty cell
    'a.jpg', // 4: too few fields
    'a.jpg,./a.jpg,yes', // 5: one image twice
    'b.jpg,a.jpg,no', // 6: the pair of line 2 again (either order)
    '../outside.jpg,a.jpg,no', // 7: escapes the folder
    '/etc/passwd,a.jpg,no', // 8: absolute path elsewhere
    'sub/../../x.jpg,a.jpg,no', // 9: escapes after normalising
    '.,a.jpg,no', // 10: the folder itself
    'c.jpg,"d.jpg,no', // 11: unterminated quote
  ].join('\n');
  const r = parsePairSheet(text, 'pairs.csv', ROOT);
  assert.deepEqual(r.pairs, [{ a: 'a.jpg', b: 'b.jpg', same: true }]);
  assert.deepEqual(r.problems.map((p) => [p.kind, p.path]), [3, 4, 5, 6, 7, 8, 9, 10, 11].map((l) => ['bad-row', `pairs.csv:${l}`]));
  assert.match(r.problems[4].message, /"\.\.\/outside\.jpg" is outside the dataset folder/);
  assert.match(r.problems[3].message, /already listed on line 2/);
});
