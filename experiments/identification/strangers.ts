/**
 * The strangers who got in at a threshold, grouped the two ways QA reads them: by who they really are (one person
 * accepted again and again is a different problem from many people each accepted once) and by whom they were taken
 * for (an enrolled person who attracts strangers is a gallery problem: a poor enrolment photo, a look-alike).
 */

/** A non-mated probe whose top-1 score reached the threshold. */
export interface AcceptedStranger {
  image: string;
  /** Its identity in the data, or null when the data gives none (the unknown label or a loose file in unknown/). */
  identity: string | null;
  matched: string;
  score: number;
}

export interface StrangerGroups {
  threshold: number;
  targetFpir: number;
  accepted: number;
  nonMated: number;
  /** By true identity, most accepted first; strangers without an identity form one group (identity null). */
  byIdentity: Array<{ identity: string | null; accepted: number; takenFor: Array<{ identity: string; count: number }>; examples: AcceptedStranger[] }>;
  /** By the enrolled identity they were taken for, most strangers first; `identities` counts distinct true identities (null counted once per image). */
  byMatched: Array<{ matched: string; accepted: number; identities: number; examples: AcceptedStranger[] }>;
  /** Groups beyond the bound, not listed. */
  leftOut: { byIdentity: number; byMatched: number };
}

export interface GroupBounds {
  groups: number;
  examples: number;
}

const byScore = (a: AcceptedStranger, b: AcceptedStranger) => b.score - a.score || (a.image < b.image ? -1 : a.image > b.image ? 1 : 0);

/**
 * Group `accepted` (every stranger accepted, not a sample) by true identity and by matched identity. Order: more
 * accepted first, then the higher best score, then the name; examples are a group's highest scores. Pure.
 */
export function groupStrangers(accepted: readonly AcceptedStranger[], at: { threshold: number; targetFpir: number; nonMated: number }, bounds: GroupBounds): StrangerGroups {
  const sorted = [...accepted].sort(byScore);
  const byIdentity = new Map<string | null, AcceptedStranger[]>();
  const byMatched = new Map<string, AcceptedStranger[]>();
  for (const s of sorted) {
    byIdentity.set(s.identity, [...(byIdentity.get(s.identity) ?? []), s]);
    byMatched.set(s.matched, [...(byMatched.get(s.matched) ?? []), s]);
  }
  const order = <K>(m: Map<K, AcceptedStranger[]>) =>
    [...m].sort(([ka, a], [kb, b]) => b.length - a.length || b[0].score - a[0].score || String(ka).localeCompare(String(kb)));
  const idGroups = order(byIdentity).map(([identity, list]) => {
    const counts = new Map<string, number>();
    for (const s of list) counts.set(s.matched, (counts.get(s.matched) ?? 0) + 1);
    const takenFor = [...counts].map(([identity, count]) => ({ identity, count })).sort((a, b) => b.count - a.count || a.identity.localeCompare(b.identity));
    return { identity, accepted: list.length, takenFor, examples: list.slice(0, bounds.examples) };
  });
  const matchedGroups = order(byMatched).map(([matched, list]) => {
    const named = new Set(list.filter((s) => s.identity !== null).map((s) => s.identity));
    return { matched, accepted: list.length, identities: named.size + list.filter((s) => s.identity === null).length, examples: list.slice(0, bounds.examples) };
  });
  return {
    ...at,
    accepted: accepted.length,
    byIdentity: idGroups.slice(0, bounds.groups),
    byMatched: matchedGroups.slice(0, bounds.groups),
    leftOut: { byIdentity: Math.max(0, idGroups.length - bounds.groups), byMatched: Math.max(0, matchedGroups.length - bounds.groups) },
  };
}
