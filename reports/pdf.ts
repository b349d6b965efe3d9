import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FrwError } from '../core/errors.js';

/** Flags for a headless print that touches no network and leaves no profile behind (the brief's Chromium notes). */
const PRINT_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--no-pdf-header-footer'];

/**
 * Print a self-contained HTML page to PDF with Debian's Chromium (`chromium`, configurable as FRW_CHROMIUM). The
 * page must need nothing from the network: reports inline their images and draw their charts as SVG.
 */
export async function htmlToPdf(html: string, chromium: string, timeoutMs = 60_000): Promise<Buffer> {
  if (!fs.existsSync(chromium)) throw new FrwError('UNAVAILABLE', `no Chromium at ${chromium} to print the PDF: apt-get install chromium, or set FRW_CHROMIUM; the HTML report needs none`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frw-pdf-'));
  try {
    const page = path.join(dir, 'report.html');
    const out = path.join(dir, 'report.pdf');
    fs.writeFileSync(page, html);
    await runChromium(chromium, [...PRINT_FLAGS, `--user-data-dir=${path.join(dir, 'profile')}`, `--print-to-pdf=${out}`, pathToFileURL(page).href], timeoutMs);
    const pdf = fs.existsSync(out) ? fs.readFileSync(out) : Buffer.alloc(0);
    if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') throw new FrwError('UNAVAILABLE', 'Chromium exited without writing a PDF');
    return pdf;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Chromium's stderr is mostly D-Bus noise in a container; the last lines carry the reason when there is one.
const lastLines = (s: string) => s.split('\n').filter((l) => l && !l.includes('dbus')).slice(-3).join(' | ') || 'no message';

/**
 * Chromium in its own process group, so a hung print is ended with all its helpers (zygote, renderer, GPU
 * process), not only the first process: settled on the main process's exit, killed as a group on the deadline.
 */
function runChromium(chromium: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(chromium, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8192)));
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      reject(new FrwError('UNAVAILABLE', `Chromium could not print the report (no answer in ${timeoutMs / 1000} s): ${lastLines(stderr)}`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new FrwError('UNAVAILABLE', `Chromium could not start: ${e.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      killGroup(); // helpers that outlive the main process
      if (code === 0) resolve();
      else reject(new FrwError('UNAVAILABLE', `Chromium could not print the report (${signal ?? `exit code ${code}`}): ${lastLines(stderr)}`));
    });
  });
}
