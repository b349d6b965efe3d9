#!/usr/bin/env node
import { Command } from 'commander';
import { addGlobalOptions } from './context.js';
import { registerDataset } from './dataset.js';
import { registerEmbed } from './embed.js';
import { registerEval } from './eval.js';
import { registerCompare } from './compare.js';
import { registerIdentify } from './identify.js';
import { registerExportConfig } from './export-config.js';
import { registerEngine } from './engine.js';
import { registerGate } from './gate.js';
import { registerWorkbench } from './workbench.js';
import { registerModel } from './model.js';
import { registerAudit } from './audit.js';
import { TOOL_VERSION } from '../core/version.js';

const program = addGlobalOptions(new Command('frw'))
  .description('FR Workbench: face-recognition evaluation, threshold tuning, and the engine that uses them')
  .version(TOOL_VERSION)
  .showHelpAfterError();
registerDataset(program);
registerModel(program);
registerEmbed(program);
registerEval(program);
registerCompare(program);
registerIdentify(program);
registerExportConfig(program);
registerEngine(program);
registerGate(program);
registerAudit(program);
registerWorkbench(program);

await program.parseAsync(process.argv);
