import fs from 'node:fs';
import path from 'node:path';
import { workspacePaths, type FrwConfig } from '../../core/config.js';
import { FrwError } from '../../core/errors.js';
import { resolveInside } from '../../core/paths.js';
import { cacheDirOf } from '../../pipeline/spec.js';
import { readRunFolder, readRunJson, runKindOf, type RunFolder, type RunKind } from '../../runs/read.js';
import { readRunScores, type RunScores } from '../../runs/scores.js';
import type { ImageAttribute } from '../../datasets/attributes.js';
import { derivedAttributes } from '../../experiments/attributes.js';
import { identityIndex, resampleUnit } from '../../experiments/protocols.js';
import type { ResampleUnit } from '../../experiments/metrics/bootstrap.js';
import { loadEmbeddingTable } from '../../pipeline/embedding-table.js';
import type { WorkbenchDatasets } from './datasets-state.js';
import { RunFaces, type FaceSettings, type FaceView } from '../../pipeline/face-views.js';

export interface RunListing {
  id: string;
  kind: 'eval' | 'identify';
  createdAt: string;
  dataset: string;
  models: string[];
  protocol: string | null;
  /** Why the run's record could not be read (the folder is listed, not hidden). */
  problem?: string;
}

export interface EmbeddingSpeed {
  msPerImage: number;
  images: number;
  dataset: string;
  runId: string;
}

const DOWNLOADABLE = /^[\w.-]+\.(json|csv)$/;
/**
 * Scores kept in memory for the threshold explorer, by count of scores (8 bytes each once sorted): LFW 10-fold is
 * 6,000 per model, streamed all-pairs on LFW 87.5 million. The newest entry always stays, whatever its size.
 */
const SCORE_CACHE_LIMIT = 150_000_000;

/** The workspace's run folders: listing, reading, and each model's scores (cached) for the threshold explorer. */
export class RunFolders {
  readonly root: string;
  private readonly embeddingsRoot: string;
  private readonly scores = new Map<string, RunScores>();
  private readonly faces = new RunFaces();
  private readonly details = new Map<string, DetailData>();

  constructor(cfg: FrwConfig, private readonly datasets: WorkbenchDatasets) {
    this.root = workspacePaths(cfg).runs;
    this.embeddingsRoot = workspacePaths(cfg).embeddings;
  }

  dir(id: string): string {
    if (!/^[\w.-]+$/.test(id) || id.startsWith('.')) throw new FrwError('OUTSIDE_ROOT', `run id ${JSON.stringify(id)} is not a run folder name`);
    const dir = resolveInside(this.root, id);
    if (!runKindOf(dir)) throw new FrwError('NOT_FOUND', `no run "${id}"`);
    return dir;
  }

  /** Every run folder with its record (run.json or identification.json); unreadable records carry the reason. */
  private records(): Array<{ id: string; kind: RunKind; rec: Partial<RunFolder['record']> | null; problem?: string }> {
    const out: Array<{ id: string; kind: RunKind; rec: Partial<RunFolder['record']> | null; problem?: string }> = [];
    for (const id of fs.existsSync(this.root) ? fs.readdirSync(this.root) : []) {
      const dir = path.join(this.root, id);
      const kind = runKindOf(dir);
      if (!kind) continue; // a run still being written, or an unrelated folder
      try {
        out.push({ id, kind, rec: readRunFolder(dir).record });
      } catch (e) {
        out.push({ id, kind, rec: null, problem: (e as Error).message });
      }
    }
    return out;
  }

  list(): RunListing[] {
    const runs = this.records().map(({ id, kind, rec, problem }): RunListing => ({ id, kind, createdAt: rec?.createdAt ?? '', dataset: rec?.dataset?.name ?? '', models: (rec?.models ?? []).map((m) => m.id), protocol: (rec && 'protocol' in rec ? rec.protocol : null) ?? null, ...(problem ? { problem } : {}) }));
    return runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /**
   * Each model's embedding speed as last measured: the newest run that computed (not read from cache) its
   * embeddings, as whole-pipeline milliseconds per image (decode, detect, align, embed) on this machine.
   */
  embeddingSpeeds(): Map<string, EmbeddingSpeed> {
    const speeds = new Map<string, EmbeddingSpeed>();
    const newestFirst = this.records().sort((a, b) => (b.rec?.createdAt ?? '').localeCompare(a.rec?.createdAt ?? ''));
    for (const { id, rec } of newestFirst) {
      for (const m of rec?.models ?? []) {
        if (speeds.has(m.id) || !m.embed || m.embed.computed <= 0) continue;
        speeds.set(m.id, { msPerImage: (1000 * m.embed.seconds) / m.embed.computed, images: m.embed.computed, dataset: m.embed.dataset, runId: id });
      }
    }
    return speeds;
  }

  read(id: string): Record<string, unknown> {
    const dir = this.dir(id);
    const j = (name: string) => readRunJson(dir, name);
    // Identification runs: who is enrolled with which photos, so a stranger who got in is shown beside the person taken for them.
    const split = readRunJson<{ gallery?: Array<{ identity: string; images: string[] }> }>(dir, 'split.json');
    const enrolment = split?.gallery ? Object.fromEntries(split.gallery.map((g) => [g.identity, g.images])) : null;
    return { id, run: j('run.json'), metrics: j('metrics.json'), curves: j('curves.json'), identification: j('identification.json'), enrolment, hasReport: fs.existsSync(path.join(dir, 'report.html')), files: this.files(id) };
  }

  /** The run folder's JSON and CSV files (metrics, records, scores, probe outcomes), for download. */
  files(id: string): string[] {
    return fs.readdirSync(this.dir(id)).filter((f) => DOWNLOADABLE.test(f)).sort();
  }

  file(id: string, name: string): string {
    if (!DOWNLOADABLE.test(name)) throw new FrwError('NOT_FOUND', `${name} is not a downloadable run file (JSON or CSV)`);
    const file = resolveInside(this.dir(id), name);
    if (!fs.existsSync(file)) throw new FrwError('NOT_FOUND', `run ${id} has no ${name}`);
    return file;
  }

  report(id: string): string {
    const file = resolveInside(this.dir(id), 'report.html');
    if (!fs.existsSync(file)) throw new FrwError('NOT_FOUND', `run ${id} has no report`);
    return fs.readFileSync(file, 'utf8');
  }

  /** What `model` saw of an image of this run: its aligned crop, or the photo with the chosen face boxed. */
  async face(id: string, model: string, imagePath: string, view: FaceView, size: number): Promise<Buffer> {
    const dir = this.dir(id);
    const rec = readRunFolder(dir).record;
    const m = (rec.models as Array<{ id: string; pipelineKey: string; settings?: FaceSettings }>).find((x) => x.id === model);
    if (!m) throw new FrwError('NOT_FOUND', `model "${model}" is not in run ${id}`);
    if (!m.settings) throw new FrwError('BAD_INPUT', `run ${id} was written by an earlier frw that did not record pipeline settings`);
    const image = await this.datasets.image(rec.dataset.name, imagePath);
    return this.faces.jpeg(image, cacheDirOf(this.embeddingsRoot, model, m.pipelineKey), m.settings, view, size);
  }

  /** One model's scores of an evaluation run; large runs name their pairs through the dataset's manifest. */
  async scoresOf(id: string, model: string): Promise<RunScores> {
    const key = `${id}\0${model}`;
    const hit = this.scores.get(key);
    if (hit) return hit;
    const dir = this.dir(id);
    const run = readRunFolder(dir);
    if (run.kind !== 'eval') throw new FrwError('BAD_INPUT', `run ${id} is an identification run; the threshold explorer works on evaluation runs`);
    let paths: string[] | undefined;
    if (fs.existsSync(path.join(dir, 'pairs.i32'))) {
      const manifest = await this.datasets.open(run.record.dataset.name).catch(() => null);
      if (manifest && manifest.hash === run.record.dataset.manifestHash) paths = manifest.images.map((i) => i.path);
    }
    const s = readRunScores(dir, model, paths);
    this.scores.set(key, s);
    const size = (x: RunScores) => x.sorted.genuine.length + x.sorted.impostor.length;
    let total = [...this.scores.values()].reduce((a, x) => a + size(x), 0);
    for (const [k, v] of this.scores) {
      if (total <= SCORE_CACHE_LIMIT || k === key) break;
      this.scores.delete(k);
      total -= size(v);
    }
    return s;
  }

  /**
   * What the explorer's bootstrap and group differentials need of a run and model: each comparison's images as
   * manifest indices, identities, and the attributes derived from the images. A reason instead when the run does not
   * keep its pairs (streamed all-pairs) or its dataset has changed since (the indices would not be the run's).
   */
  async detailData(id: string, model: string): Promise<DetailData | { unavailable: string }> {
    const key = `${id}\0${model}`;
    const hit = this.details.get(key);
    if (hit) return hit;
    const s = await this.scoresOf(id, model);
    if (!s.pairs) return { unavailable: s.pairsUnavailable ?? 'this run keeps no pairs' };
    const dir = this.dir(id);
    const rec = readRunFolder(dir).record;
    const manifest = await this.datasets.open(rec.dataset.name);
    if (manifest.hash !== rec.dataset.manifestHash) return { unavailable: `dataset ${rec.dataset.name} has changed since this run (manifest ${manifest.hash.slice(0, 12)}…, the run's ${rec.dataset.manifestHash.slice(0, 12)}…); rerun it for identity-level intervals and groups` };
    const index = new Map(manifest.images.map((img, i) => [img.path, i]));
    const at = (p: string) => index.get(p) ?? -1;
    const a = Int32Array.from(s.pairs.a, at);
    const b = Int32Array.from(s.pairs.b, at);
    if (a.includes(-1) || b.includes(-1)) return { unavailable: 'some of the run\'s pairs name images the dataset no longer has' };
    // A fused score has no pipeline of its own (no face sizes to group by); its pairs still resample.
    const m = (rec.models as Array<{ id: string; pipelineKey: string; settings?: { embedder: { output: { dim: number } } } }>).find((x) => x.id === model);
    const table = m?.settings ? loadEmbeddingTable(manifest, cacheDirOf(this.embeddingsRoot, model, m.pipelineKey), m.settings.embedder.output.dim) : null;
    const data: DetailData = { score: s.pairs.score, same: s.pairs.same, a, b, identity: identityIndex(manifest), unit: resampleUnit(manifest), attributes: table ? derivedAttributes(manifest, table) : [], seed: (rec as { seed?: number }).seed ?? 1, replicates: (rec as { evaluation?: { bootstrap?: number } }).evaluation?.bootstrap || DEFAULT_EXPLORER_REPLICATES };
    this.details.clear(); // one run and model at a time: the explorer shows one
    this.details.set(key, data);
    return data;
  }
}

/** Replicates when the run itself ran no bootstrap (--bootstrap 0): enough for a 95% interval's ends to settle to a few tenths of a point. */
const DEFAULT_EXPLORER_REPLICATES = 500;

export interface DetailData {
  score: Float64Array;
  same: Uint8Array;
  a: Int32Array;
  b: Int32Array;
  identity: Int32Array;
  unit: ResampleUnit;
  attributes: ImageAttribute[];
  seed: number;
  replicates: number;
}
