import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ghostFaceNetV1, makeDivisible } from '../../models/ghostfacenet.js';
import { openKerasH5 } from '../../models/keras/h5.js';
import { planCost, planGraph } from '../../models/keras/plan.js';
import { MODEL_ROOT } from '../helpers/shared.js';

const cost = (width: number, stride: 1 | 2) => planCost(planGraph(ghostFaceNetV1({ width, stride }), 'test'));

describe('GhostFaceNetV1 in code', () => {
  it('rounds channels as GhostNet does', () => {
    // _make_divisible(v, 4) of the official code: 16×0.5, 48×0.5, 72×0.5/4 (SE) and 16×1.3.
    assert.deepEqual([8, 24, 9, 20.8, 15].map((v) => makeDivisible(v)), [8, 24, 12, 20, 16]);
  });

  it('counts the published FLOPs for width 1.3 at both strides', () => {
    // GhostFaceNets (Alansari et al., IEEE Access 2023), Table: GhostFaceNetV1 S=1 215.65 MFLOPs, S=2 60.29 MFLOPs.
    assert.equal((cost(1.3, 1).paperFlops / 1e6).toFixed(2), '215.65');
    assert.equal((cost(1.3, 2).paperFlops / 1e6).toFixed(2), '60.29');
  });

  it('counts the stored weights of the shipped checkpoint, and multiply-adds layer by layer', () => {
    // shared/README.md: the W0.5 S2 file holds 722,364 weights; count them in the file itself too.
    const h5 = openKerasH5(path.join(MODEL_ROOT, 'GN_W0.5_S2_ArcFace_epoch16.h5'));
    const inFile = h5.weightLayers.reduce((n, l) => n + h5.layerWeights(l).reduce((m, w) => m + w.values.length, 0), 0);
    assert.equal(inFile, 722_364);
    assert.equal(cost(0.5, 2).parameters, 722_364);
    const plan = planGraph(ghostFaceNetV1({ width: 0.5, stride: 2 }), 'test');
    const step = (name: string) => plan.steps.find((s) => s.layer.name === name)!.spec;
    // Stem: 3×3×3 kernel, 8 filters, 56×56 output. GDC: 4×4 depthwise over 256 channels, one output each.
    assert.equal(step('conv2d').multiplyAdds, 56 * 56 * 8 * 3 * 3 * 3);
    assert.equal(step('GDC_dw').multiplyAdds, 256 * 4 * 4);
    assert.equal(step('GDC_conv').multiplyAdds, 256 * 512);
    assert.equal(plan.steps.reduce((a, s) => a + s.spec.multiplyAdds, 0), cost(0.5, 2).multiplyAdds);
  });

  it('refuses widths and strides it cannot build', () => {
    assert.throws(() => ghostFaceNetV1({ width: 0, stride: 2 }), /width/);
    assert.throws(() => ghostFaceNetV1({ width: 1, stride: 3 as 2 }), /stride/);
  });
});
