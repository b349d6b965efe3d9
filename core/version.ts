import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './paths.js';

/** The tool version recorded in every run and config: package.json's version. */
export const TOOL_VERSION: string = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).version;
