import { formatRoute, type ViewName } from './route.js';

/** Go to a view (the hash changes; <frw-app> follows it). Apart from route.ts, which stays free of the DOM. */
export function navigate(view: ViewName, params: Record<string, string | undefined> = {}): void {
  location.hash = formatRoute(view, params);
}
