import { test } from 'vitest';
import assert from 'node:assert/strict';
import { auditDataset, DEFAULT_AUDIT_OPTIONS } from '../../experiments/audit/audit.js';
import { auditReportHtml, REPORT_ROWS, reportImagePaths } from '../../reports/audit-report.js';
import type { AuditRecord } from '../../runs/audit-folder.js';
import { createIndexFactory } from '../../search/indexes.js';
import { photos, synthInput } from '../experiments/audit/fixtures.js';

async function record(): Promise<AuditRecord> {
  // A name with markup in it, a photo of P1 filed under it, and enough people for every list to overflow its bound.
  const evil = '<img src=x onerror=alert(1)>';
  const input = synthInput([...Array.from({ length: 60 }, (_, k) => photos(`P${k}`, 3)).flat(), ...photos(evil, 3), { path: 'evil/x.jpg', label: evil, person: 'P1' }], { spread: 0.3 });
  const findings = await auditDataset(input, { ...DEFAULT_AUDIT_OPTIONS, top: 100, zCut: 0.1 }, await createIndexFactory('exact'));
  return {
    tool: { name: 'fr-workbench', version: 'test' },
    createdAt: '2025-01-01T00:00:00.000Z',
    dataset: { name: 'synth', kind: 'folder', root: '/synth', manifestHash: 'f'.repeat(64), images: input.manifest.images.length, identities: input.manifest.identities.length },
    model: { id: 'model', sha256: 'a'.repeat(64), pipelineKey: 'b'.repeat(64), detector: 'scrfd-2.5g', settings: {} as AuditRecord['model']['settings'], embed: {} as AuditRecord['model']['embed'] },
    index: 'exact',
    findings,
    userDecisions: { file: '/w/audit/synth/decisions.json', sha256: 'c'.repeat(64), decisions: [{ kind: 'mislabelled', image: 'evil/x.jpg', label: 'P1', decidedAt: '2025-01-01T00:00:00.000Z' }] },
    effect: null,
  };
}

test('the audit report escapes every name, bounds its rows, puts faces inline and marks what is decided', async () => {
  const r = await record();
  assert.ok(r.findings.outliers.ranked.length > REPORT_ROWS.outliers, 'more rows than the report shows');
  const paths = reportImagePaths(r);
  assert.equal(paths[0], r.findings.outliers.ranked[0].image.path, 'faces in the order the report lists them');
  const thumbs = new Map(paths.map((p) => [p, `data:image/jpeg;base64,${Buffer.from(p).toString('base64')}`] as const));
  const html = auditReportHtml(r, { images: thumbs, leftOut: 3 });
  assert.ok(!html.includes('<img src=x'), 'markup in a name is escaped');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  const outlierSection = html.slice(html.indexOf('Intra-identity outliers'), html.indexOf('Identities that are probably'));
  assert.equal((outlierSection.match(/<tr>/g) ?? []).length - 1, REPORT_ROWS.outliers, 'one header row and the bounded rows');
  assert.ok(html.includes(thumbs.get('evil/x.jpg')!), 'the face is inline');
  assert.match(html, /<b>mislabelled → P1<\/b>/);
  assert.match(html, /3 faces beyond the report's bound/);
  assert.match(html, /The set has no unknown images/);
  assert.ok(!/<script[^>]+src=/i.test(html));
});
