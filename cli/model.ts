import fs from 'node:fs';
import type { Command } from 'commander';
import { workspacePaths } from '../core/config.js';
import { FrwError } from '../core/errors.js';
import { addModel } from '../models/add.js';
import { modelCost } from '../models/cost.js';
import { resolveModelFile } from '../models/files.js';
import { ghostFaceNetV1 } from '../models/ghostfacenet.js';
import { planCost, planGraph } from '../models/keras/plan.js';
import { getCard, listCards } from '../models/registry.js';
import { action, configOf } from './context.js';

export function registerModel(program: Command): void {
  const m = program.command('model').description('model cards: list, show, add a checkpoint');
  m.command('list')
    .option('--json', 'print as JSON', false)
    .action(
      action(async (flags: { json: boolean }, self: Command) => {
        const cards = listCards(workspacePaths(configOf(self)).userModels);
        if (flags.json) {
          process.stdout.write(JSON.stringify(cards.map((c) => ({ ...c.card, origin: c.origin })), null, 2) + '\n');
          return;
        }
        for (const { card, origin } of cards) {
          const what = card.task === 'embedding' ? `${card.output.dim}-d embedder, ${card.input.layout} ${card.input.channelOrder}` : `${card.family} detector ${card.input.size.join('×')}`;
          process.stdout.write(`${card.id.padEnd(18)} ${what.padEnd(34)} ${card.format.padEnd(11)} ${origin.padEnd(8)} licence: ${card.licence}\n`);
        }
      }),
    );
  m.command('show <id>')
    .description('the card, with the parameters and multiply-adds counted from its file')
    .action(
      action(async (id: string, _flags: unknown, self: Command) => {
        const cfg = configOf(self);
        const card = getCard(id, workspacePaths(cfg).userModels);
        const cost = await modelCost(card, resolveModelFile(card, cfg.modelRoot));
        process.stdout.write(JSON.stringify({ ...card, cost }, null, 2) + '\n');
      }),
    );
  m.command('count-ghostfacenet')
    .description('parameters, multiply-adds and the papers\' FLOPs of GhostFaceNetV1 built in code, for any width and stride')
    .option('--width <w>', 'channel width multiplier', '1.3')
    .option('--stride <s>', 'stem stride, 1 or 2', '2')
    .action(
      action(async (flags: { width: string; stride: string }) => {
        const width = Number(flags.width);
        const stride = Number(flags.stride) as 1 | 2;
        const c = planCost(planGraph(ghostFaceNetV1({ width, stride }), 'GhostFaceNetV1'));
        process.stdout.write(`GhostFaceNetV1 width ${width} stride ${stride}: ${c.parameters.toLocaleString('en')} parameters (${c.trainable.toLocaleString('en')} trainable), ${(c.multiplyAdds / 1e6).toFixed(2)} M multiply-adds, ${(c.paperFlops / 1e6).toFixed(2)} MFLOPs as the GhostFaceNets paper counts\n`);
      }),
    );
  m.command('add <file>')
    .description('register a checkpoint (ONNX, TF.js model.json or Keras .h5) with a card; the card is checked against the model')
    .requiredOption('--card <json>', 'card JSON file (id, name, task, format, input, output, alignment, licence, provenance)')
    .action(
      action(async (file: string, flags: { card: string }, self: Command) => {
        const cfg = configOf(self);
        let card: Record<string, unknown>;
        try {
          card = JSON.parse(fs.readFileSync(flags.card, 'utf8'));
        } catch (e) {
          throw new FrwError('BAD_INPUT', `cannot read card ${flags.card}: ${(e as Error).message}`);
        }
        const res = await addModel({ modelFile: file, card, userModelsDir: workspacePaths(cfg).userModels, modelRoot: cfg.modelRoot });
        process.stdout.write(`registered "${res.card.id}" (sha256 ${res.card.sha256.slice(0, 12)}…) → ${res.cardPath}\n`);
      }),
    );
}
