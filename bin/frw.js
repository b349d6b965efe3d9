#!/usr/bin/env node
// The compiled CLI (npm install builds it through the "prepare" script). From source: npx tsx cli/main.ts.
import { existsSync } from 'node:fs';
const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('frw: not built yet; run `npm run build` (npm install does it for you)\n');
  process.exit(1);
}
await import(entry.href);
