/** Hash routes: `#/<view>?key=value`, so every view (and its selected run and model) is a link you can share. */
export const VIEWS = ['experiments', 'explorer', 'compare', 'identification', 'export', 'datasets', 'audit', 'models'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface Route {
  view: ViewName;
  params: Record<string, string>;
}

export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  const view = (VIEWS as readonly string[]).includes(path) ? (path as ViewName) : 'experiments';
  return { view, params: Object.fromEntries(new URLSearchParams(query)) };
}

export function formatRoute(view: ViewName, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')).toString();
  return `#/${view}${q ? `?${q}` : ''}`;
}
