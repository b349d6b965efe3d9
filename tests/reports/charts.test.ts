import { test } from 'vitest';
import assert from 'node:assert/strict';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';
import { CHART_PARAMS, cmcSpec, detSpec, foldTransferSpec, distributionSpec, distributionsOverlaySpec, fpirFnirSpec, paramNames, ratesVsThresholdSpec, rocSpec, tailSpec } from '../../reports/charts.js';

// Every spec must compile to vega without warnings: an invalid encoding is a chart the user never sees.
function compiles(spec: TopLevelSpec): void {
  const warnings: string[] = [];
  const logger = { level: () => logger, warn: (...m: unknown[]) => (warnings.push(m.join(' ')), logger), info: () => logger, debug: () => logger, error: (...m: unknown[]) => (warnings.push(m.join(' ')), logger) };
  compile(spec, { logger: logger as never });
  assert.deepEqual(warnings, []);
}
/** Headless vega (no renderer): the data of every drawn item of a mark type, after setting `signals` (as the explorer does). */
async function drawn(spec: TopLevelSpec, signals: Record<string, unknown> = {}): Promise<{ view: View; items: (type: string) => Array<Record<string, number | string>> }> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  for (const [k, v] of Object.entries(signals)) if (paramNames(spec).includes(k)) view.signal(k, v);
  await view.runAsync();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const collect = (node: any, type: string, out: Array<Record<string, number | string>>): Array<Record<string, number | string>> => {
    for (const item of node?.items ?? []) {
      if (item.mark?.marktype === type && item.mark.role === 'mark' && item.datum) out.push(item.datum);
      collect(item, type, out);
    }
    return out;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { view, items: (type: string) => collect((view.scenegraph() as any).root, type, []) };
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const layers = (s: TopLevelSpec): any[] => (s as any).layer ?? [];

const hist = { edges: [-0.5, 0, 0.5, 1], counts: [3, 1, 0] };
const hist2 = { edges: [-0.5, 0, 0.5, 1], counts: [0, 1, 3] };

test('distributions: each class normalised to its own total; the threshold is a rule layer only when given', () => {
  const s = distributionSpec({ genuine: hist2, impostor: hist, threshold: 0.3, axis: 'similarity' });
  compiles(s);
  const rows = layers(s).length ? (s as unknown as { data: { values: Array<{ kind: string; share: number }> } }).data.values : [];
  assert.deepEqual(rows.filter((r) => r.kind === 'impostor').map((r) => r.share), [0.75, 0.25, 0]);
  assert.equal(layers(s).length, 2);
  assert.equal(layers(distributionSpec({ genuine: hist2, impostor: hist, axis: 'similarity' })).length, 1);
});

test('ROC: points at FMR 0 (no place on a log axis) are left out, curve and operating point alike', () => {
  const s = rocSpec([{ model: 'm', x: [0, 0.01, 0.5, 1], y: [0.2, 0.6, 0.9, 1] }], [{ model: 'm', fmr: 0, tar: 0.2, label: 'op' }]);
  compiles(s);
  assert.equal(layers(s).length, 1, 'the operating point at FMR 0 is dropped, not drawn at the axis edge');
  assert.deepEqual(layers(s)[0].data.values.map((v: { fmr: number }) => v.fmr), [0.01, 0.5, 1]);
  assert.equal(layers(s)[0].encoding.x.scale.domain[0], 0.01, 'the log axis starts at the smallest positive FMR');
  const withPoint = rocSpec([{ model: 'm', x: [0.01, 1], y: [0.6, 1] }], [{ model: 'm', fmr: 0.01, tar: 0.6, label: 'op' }]);
  compiles(withPoint);
  assert.equal(layers(withPoint).length, 2);
});

test('DET: infinite probits are left out; the operating point is its own layer', () => {
  const s = detSpec([{ model: 'm', x: [-Infinity, -1, 0], y: [1, 0.5, -Infinity] }], [{ model: 'm', px: -1, py: 0.5, label: 'op' }]);
  compiles(s);
  assert.deepEqual(layers(s)[0].data.values, [{ model: 'm', px: -1, py: 0.5 }]);
  assert.equal(layers(s).length, 2);
  assert.equal(layers(detSpec([{ model: 'm', x: [-1], y: [0] }])).length, 1);
});

test('overlaid distributions, error rates, CMC and FNIR/FPIR compile', () => {
  compiles(distributionsOverlaySpec([{ model: 'a', genuine: hist2, impostor: hist }, { model: 'b', genuine: hist2, impostor: hist }], 'similarity'));
  compiles(ratesVsThresholdSpec({ model: 'm', threshold: [Infinity, 0.9, 0.1], fmr: [0, 0, 0.5], fnmr: [1, 0.5, 0], operating: 0.5 }));
  compiles(cmcSpec([{ label: 'm / raw', rank: [1, 2], accuracy: [0.9, 0.95] }]));
  const f = fpirFnirSpec([{ label: 'm / mean', fpir: [0, 0.1, 1], fnir: [0.5, 0.1, 0] }]);
  compiles(f);
  assert.equal((f as unknown as { data: { values: unknown[] } }).data.values.length, 2, 'FPIR 0 left out of the log axis');
});

test('threshold transfer: folds numbered from 1, each with its interval, and the target line', () => {
  const s = foldTransferSpec({ model: 'm', target: 0.01, folds: [{ fold: 0, fmr: 0.02, lower: 0.01, upper: 0.04 }, { fold: 1, fmr: 0, lower: 0, upper: 0.012 }] });
  compiles(s);
  assert.deepEqual(layers(s)[0].data.values.map((v: { fold: number }) => v.fold), [1, 2]);
  assert.deepEqual(layers(s)[2].data.values, [{ target: 0.01 }]);
});

test('impostor tail: counts on a log axis from the window below the threshold up; empty bins (no place on a log axis) left out', async () => {
  const imp = { edges: [-0.2, 0, 0.2, 0.4, 0.6], counts: [900, 40, 2, 0] };
  const gen = { edges: [-0.2, 0, 0.2, 0.4, 0.6], counts: [0, 3, 20, 77] };
  const s = tailSpec({ genuine: gen, impostor: imp, threshold: 0.35, window: 0.3 });
  compiles(s);
  assert.equal(layers(s)[0].encoding.y.scale.type, 'log');
  const at = async (signals: Record<string, unknown>) => {
    const d = await drawn(s, signals);
    const rects = d.items('rect');
    return { imp: rects.filter((r) => r.kind === 'impostor').map((r) => [r.x0, r.count]), gen: rects.filter((r) => r.kind === 'genuine').map((r) => r.count), rule: d.items('rule').map((r) => r.t), from: d.view.scale('x').domain()[0] };
  };
  // From 0.05 up: the bin [-0.2, 0) ends below it; the empty impostor bin [0.4, 0.6) is dropped.
  const first = await at({});
  assert.deepEqual(first, { ...first, imp: [[0, 40], [0.2, 2]], gen: [3, 20, 77], rule: [0.35] });
  assert.ok(first.from <= 0.35 - 0.3 && first.from > -0.2, `the axis starts at the window (rounded to a nice number): ${first.from}`);
  // The threshold param moves the rule and the window with it: no new spec.
  const moved = await at({ [CHART_PARAMS.threshold]: 0.1 });
  assert.deepEqual([moved.imp, moved.rule], [[[-0.2, 900], [0, 40], [0.2, 2]], [0.1]]);
  assert.ok(moved.from <= -0.2, `the window moved down with the threshold: ${moved.from}`);
});

test('the threshold rule of the distributions follows its param', async () => {
  const s = distributionSpec({ genuine: hist2, impostor: hist, threshold: 0.3, axis: 'similarity' });
  assert.deepEqual((await drawn(s)).items('rule').map((r) => r.t), [0.3]);
  assert.deepEqual((await drawn(s, { [CHART_PARAMS.threshold]: -0.25 })).items('rule').map((r) => r.t), [-0.25]);
});

test('ROC and DET: the moving operating point follows its params, and is not drawn where it has no place', async () => {
  const roc = rocSpec([{ model: 'm', x: [0.001, 0.01, 0.5, 1], y: [0.2, 0.6, 0.9, 1] }], [], { model: 'm', label: 'operating point', x: 0.01, y: 0.6 });
  compiles(roc);
  const rocPoints = async (signals: Record<string, unknown>) => (await drawn(roc, signals)).items('symbol').map((p) => [p.fmr, p.tar]);
  assert.deepEqual(await rocPoints({}), [[0.01, 0.6]]);
  assert.deepEqual(await rocPoints({ [CHART_PARAMS.threshold]: 0.2, [CHART_PARAMS.fmr]: 0.5, [CHART_PARAMS.tar]: 0.9 }), [[0.5, 0.9]], 'params the chart lacks (the threshold) are not set');
  assert.deepEqual(await rocPoints({ [CHART_PARAMS.fmr]: 0 }), [], 'FMR 0: no place on the log axis');
  assert.deepEqual(await rocPoints({ [CHART_PARAMS.fmr]: null, [CHART_PARAMS.tar]: null }), [], 'no point yet');
  const det = detSpec([{ model: 'm', x: [-2, -1, 0], y: [1, 0.5, -1] }], [], { model: 'm', label: 'operating point', x: null, y: null });
  compiles(det);
  const detPoints = async (signals: Record<string, unknown>) => (await drawn(det, signals)).items('symbol').map((p) => [p.px, p.py]);
  assert.deepEqual(await detPoints({}), []);
  assert.deepEqual(await detPoints({ [CHART_PARAMS.probitFmr]: -1, [CHART_PARAMS.probitFnmr]: 0.5 }), [[-1, 0.5]]);
  assert.deepEqual(await detPoints({ [CHART_PARAMS.probitFmr]: -1, [CHART_PARAMS.probitFnmr]: null }), [], 'a rate of 1: no probit');
});
