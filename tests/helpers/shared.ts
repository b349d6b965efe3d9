import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { PROJECT_ROOT } from '../../core/paths.js';
import { resolveConfig, type FrwConfig } from '../../core/config.js';

/** The shared data and model roots beside the checkout (as on CI), never a copy inside the project. */
export const SHARED = path.resolve(PROJECT_ROOT, '..', 'shared');
export const DATA_ROOT = path.join(SHARED, 'datasets');
export const MODEL_ROOT = path.join(SHARED, 'models');
export const LFW_IMAGES = path.join(DATA_ROOT, 'lfw', 'lfw-deepfunneled');
export const lfwImage = (name: string, n = 1) => path.join(LFW_IMAGES, name, `${name}_${String(n).padStart(4, '0')}.jpg`);

/** A fresh temporary workspace, so tests never read or write the developer's .frw cache. */
export function tempWorkspace(prefix = 'frw-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testConfig(workspace = tempWorkspace()): FrwConfig {
  return resolveConfig({ dataRoot: DATA_ROOT, modelRoot: MODEL_ROOT, workspace, threads: 2 });
}
