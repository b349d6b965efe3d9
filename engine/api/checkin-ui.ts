import path from 'node:path';
import fs from 'node:fs';
import express from 'express';
import { PROJECT_ROOT } from '../../core/paths.js';

/** Where `npm run build` (scripts/build-ui.mjs) puts the check-in app's bundle. */
export const CHECKIN_UI_DIR = path.join(PROJECT_ROOT, 'dist', 'checkin-ui');

/**
 * The check-in app's static files, served without the API key (the page holds nothing secret; every call it makes
 * sends the key the user typed). Its own scripts and styles only: the CSP forbids any other origin, so the page
 * loads nothing from the network; the camera is allowed to this origin alone. A missing bundle falls through
 * to the API's 404.
 */
export function checkinUiRouter(dir: string = CHECKIN_UI_DIR): express.Router {
  const router = express.Router();
  if (!fs.existsSync(dir)) return router;
  router.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy': "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
      'Permissions-Policy': 'camera=(self), microphone=()',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
    next();
  });
  router.use(express.static(dir, { index: 'index.html', redirect: true }));
  return router;
}
