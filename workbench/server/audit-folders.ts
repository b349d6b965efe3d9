import fs from 'node:fs';
import path from 'node:path';
import { workspacePaths, type FrwConfig } from '../../core/config.js';
import { FrwError } from '../../core/errors.js';
import { sha256File } from '../../core/hash.js';
import { resolveInside, within } from '../../core/paths.js';
import { findingImages } from '../../experiments/audit/audit.js';
import { checkDecision, decisionTarget, type Decision, type DecisionsFile } from '../../experiments/audit/decisions.js';
import { RunFaces } from '../../pipeline/face-views.js';
import { AUDIT_FILE, readAuditFolder, type AuditRecord } from '../../runs/audit-folder.js';
import { decisionsPath, readDecisionsFile, recordDecisions } from '../../usecases/audit-decisions.js';
import { auditFaceJpeg } from '../../usecases/audit-thumbnails.js';

/** One audit folder as the workbench lists it. */
export interface AuditListing {
  /** `<workspace>/audit/<dataset>/<id>`: the folder names, which address the audit in the API. */
  dataset: string;
  id: string;
  name: string;
  model: string;
  createdAt: string;
  flagged: { outliers: number; identityPairs: number; unknownMatches: number; duplicatesAcrossLabels: number; junk: number };
}

export interface AuditDetail {
  audit: AuditRecord;
  /** The dataset's decisions file now (it may have changed since the audit ran), or null while there is none. */
  decisions: { file: string; sha256: string; decisions: Decision[] } | null;
}

const NAME = /^[\w.-]+$/;

/**
 * The audits `frw audit` wrote under the workspace (its default --out): listed, read, their faces, and decisions
 * recorded into the dataset's decisions file. Only plain folders and files under <workspace>/audit are read; a
 * decision must name a flag the audit shows, so the browser cannot write decisions about anything else.
 */
export class AuditFolders {
  private readonly root: string;
  private readonly faces = new RunFaces();
  /** Parsed audits and the images they show, by folder and audit.json's mtime: thumbnails do not re-read them. */
  private readonly parsed = new Map<string, { mtimeMs: number; audit: AuditRecord; images: Set<string> }>();

  constructor(private readonly cfg: FrwConfig) {
    this.root = workspacePaths(cfg).audit;
  }

  private dir(dataset: string, id: string): string {
    for (const n of [dataset, id]) if (!NAME.test(n) || n.startsWith('.')) throw new FrwError('OUTSIDE_ROOT', `${JSON.stringify(n)} is not an audit folder name`);
    const dir = path.join(this.root, dataset, id);
    const file = path.join(dir, AUDIT_FILE);
    const plain = [path.join(this.root, dataset), dir].every((p) => fs.existsSync(p) && fs.lstatSync(p).isDirectory()) && fs.existsSync(file) && fs.lstatSync(file).isFile();
    if (!plain) throw new FrwError('NOT_FOUND', `no audit ${dataset}/${id}`);
    return dir;
  }

  list(): AuditListing[] {
    const sub = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory() && NAME.test(e.name) && !e.name.startsWith('.')).map((e) => e.name) : []);
    const out: AuditListing[] = [];
    for (const dataset of sub(this.root)) {
      for (const id of sub(path.join(this.root, dataset))) {
        if (!fs.existsSync(path.join(this.root, dataset, id, AUDIT_FILE))) continue; // an audit still running, or another folder
        let r: AuditRecord;
        try {
          r = this.read(dataset, id).audit;
        } catch {
          continue; // an audit.json edited or damaged by hand: left out of the list, not the list's failure
        }
        const f = r.findings;
        out.push({
          dataset,
          id,
          name: r.dataset.name,
          model: r.model.id,
          createdAt: r.createdAt,
          flagged: {
            outliers: f.outliers.flaggedCount,
            identityPairs: f.identityPairs.known.flaggedCount,
            unknownMatches: f.identityPairs.unknown.flaggedCount,
            duplicatesAcrossLabels: [...f.duplicates.exact, ...f.duplicates.near].filter((d) => d.differentLabels).length,
            junk: f.junk.rows.length,
          },
        });
      }
    }
    return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  /** An audit read once per change of its audit.json. */
  private read(dataset: string, id: string): { audit: AuditRecord; images: Set<string> } {
    const dir = this.dir(dataset, id);
    const mtimeMs = fs.statSync(path.join(dir, AUDIT_FILE)).mtimeMs;
    const hit = this.parsed.get(dir);
    if (hit && hit.mtimeMs === mtimeMs) return hit;
    const audit = readAuditFolder(dir);
    const entry = { mtimeMs, audit, images: findingImages(audit.findings) };
    this.parsed.set(dir, entry);
    return entry;
  }

  detail(dataset: string, id: string): AuditDetail {
    const { audit } = this.read(dataset, id);
    const file = decisionsPath(this.cfg, audit.dataset.name);
    if (!fs.existsSync(file)) return { audit, decisions: null };
    const d = readDecisionsFile(file);
    return { audit, decisions: { file, sha256: d.sha256, decisions: d.content.decisions } };
  }

  /** A face the audit shows, as the model embedded it (or the photo, for an image without a face). */
  async face(dataset: string, id: string, imagePath: string, size: number): Promise<Buffer> {
    const { audit, images } = this.read(dataset, id);
    if (!images.has(imagePath)) throw new FrwError('NOT_FOUND', `${imagePath} is not among this audit's findings`);
    // audit.json is a file in the workspace: the crops it points at must come from the workspace's own cache.
    if (!within(workspacePaths(this.cfg).embeddings, path.resolve(audit.model.embed.cacheDir))) {
      throw new FrwError('OUTSIDE_ROOT', `this audit's embedding cache is not under the workspace; its faces are not served`);
    }
    const file = resolveInside(audit.dataset.root, imagePath);
    const sha256 = await sha256File(file).catch(() => {
      throw new FrwError('NOT_FOUND', `${imagePath} cannot be read now`);
    });
    const jpeg = await auditFaceJpeg(this.faces, audit.dataset.root, { path: imagePath, sha256 }, audit.model.embed.cacheDir, audit.model.settings, size);
    if (!jpeg) throw new FrwError('NOT_FOUND', `${imagePath} cannot be shown`);
    return jpeg;
  }

  /** Record one decision about a flag of this audit in the dataset's decisions file (a small write under its lock). */
  decide(dataset: string, id: string, body: unknown): DecisionsFile & { file: string; sha256: string } {
    const { audit, images } = this.read(dataset, id);
    const d = checkDecision({ ...(body as object), decidedAt: new Date().toISOString() }, 'decision');
    if (d.image !== undefined && !images.has(d.image)) throw new FrwError('BAD_INPUT', `${d.image} is not among this audit's findings`);
    if (d.identities) {
      const key = decisionTarget(d);
      const shown = audit.findings.identityPairs.known.ranked.some((p) => decisionTarget({ identities: [p.a.name, p.b.name] }) === key);
      if (!shown) throw new FrwError('BAD_INPUT', `${d.identities.join(' ~ ')} is not an identity pair of this audit`);
    }
    const file = decisionsPath(this.cfg, audit.dataset.name);
    const { content, sha256 } = recordDecisions(file, audit.dataset.name, [d]);
    return { ...content, file, sha256 };
  }
}
