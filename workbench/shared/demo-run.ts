/**
 * The demo evaluation: the workbench's one-click run, and what `npm start` prepares on a first start. Shared by the
 * server and the browser bundle, so it imports nothing.
 */
export const DEMO_RUN = { dataset: 'lfw-mini', models: ['fr-feature'] } as const;
