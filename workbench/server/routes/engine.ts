import express from 'express';
import { FrwError } from '../../../core/errors.js';

/** Push timeout: the engine checks model hashes (a few hundred ms for 200 MB), not a long job. */
const PUSH_TIMEOUT_MS = 30_000;

/**
 * /api/engine: push a deployment config to a running engine (`frw engine serve`). The workbench server makes the
 * call so the browser needs no CORS and the API key never sits in a page script.
 */
export function engineRouter(fetchImpl: typeof fetch = fetch): express.Router {
  const r = express.Router();
  r.post('/push', express.json({ limit: '1mb' }), async (req, res) => {
    const b = (req.body ?? {}) as { url?: unknown; apiKey?: unknown; config?: unknown };
    if (typeof b.url !== 'string') throw new FrwError('BAD_INPUT', 'give the engine url (e.g. http://127.0.0.1:8731)');
    let url: URL;
    try {
      url = new URL('/v1/config', b.url);
    } catch {
      throw new FrwError('BAD_INPUT', `engine url ${JSON.stringify(b.url)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FrwError('BAD_INPUT', 'the engine url must be http or https');
    if (typeof b.apiKey !== 'string' || b.apiKey === '') throw new FrwError('BAD_INPUT', "give the engine's API key");
    if (typeof b.config !== 'object' || b.config === null) throw new FrwError('BAD_INPUT', 'give the deployment config to push');
    let reply: Response;
    try {
      reply = await fetchImpl(url, { method: 'PUT', headers: { 'content-type': 'application/json', 'x-api-key': b.apiKey }, body: JSON.stringify(b.config), signal: AbortSignal.timeout(PUSH_TIMEOUT_MS) });
    } catch (e) {
      throw new FrwError('UNAVAILABLE', `no engine answered at ${url.origin}: ${(e as Error).message}`);
    }
    const body = (await reply.json().catch(() => ({}))) as { error?: { message?: string; code?: string } } & Record<string, unknown>;
    if (!reply.ok) {
      // The engine's own words, under the engine's status: 401 wrong key, 409 other pipeline, 400 bad config.
      res.status(reply.status).json({ error: { code: body.error?.code ?? 'ENGINE_REFUSED', message: `the engine refused the config: ${body.error?.message ?? reply.statusText}` } });
      return;
    }
    res.json({ engine: url.origin, ...body });
  });
  return r;
}
