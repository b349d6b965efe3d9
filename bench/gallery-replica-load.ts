/**
 * One replica's side of bench/gallery-sizing.ts, in a process of its own so its memory is measured alone: open the
 * gallery, load the mirror, build the search index (FAISS flat, mean templates, as `frw engine serve` does),
 * time identification searches and one change brought by the feed. Prints one JSON line.
 *
 *   node --import tsx bench/gallery-replica-load.ts <gallery: file or postgres:// URL> <dim>
 */
import { GalleryMirror } from '../engine/gallery/mirror.js';
import { openGallery } from '../engine/gallery/open.js';
import { GalleryIndex } from '../engine/gallery/search-index.js';
import { rankIdentities } from '../search/vector-index.js';

const [location, dimArg] = process.argv.slice(2);
const dim = Number(dimArg);
const QUERIES = 100;
const mb = () => process.memoryUsage().rss / 2 ** 20;
// Live bytes after a full collection (run with --expose-gc): what the replica holds, apart from garbage not yet
// collected and pages V8 has not handed back, which RSS also counts.
const live = () => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / 2 ** 20;
};

const rss0 = mb();
const live0 = live();
const t0 = performance.now();
const store = await openGallery(location, 'sizing');
const mirror = await GalleryMirror.load(store, dim);
const loadS = (performance.now() - t0) / 1000;
const rssMirror = mb();
const liveMirror = live();
const t1 = performance.now();
const people = mirror.current().people;
const index = new GalleryIndex(people, { dim, aggregation: 'mean', search: 'flat' });
const buildS = (performance.now() - t1) / 1000;
const rssIndex = mb();
const liveIndex = live();
// Queries are gallery rows perturbed a little: each has a true nearest neighbour, as a check-in does.
const q = new Float32Array(dim);
let hits = 0;
const t2 = performance.now();
for (let i = 0; i < QUERIES; i++) {
  const row = (i * 7919) % index.gallery.identities.length;
  let norm = 0;
  for (let d = 0; d < dim; d++) norm += (q[d] = index.gallery.vectors[row * dim + d] + 0.01 * Math.sin(i + d)) ** 2;
  for (let d = 0; d < dim; d++) q[d] /= Math.sqrt(norm);
  const ranked = rankIdentities(index.search.search(q, index.rowsForTop1), index.gallery, 1);
  if (ranked.identity[0] === row) hits++;
}
const searchMs = (performance.now() - t2) / QUERIES;
// Enrolments as the change feed brings them, one at a time: a person re-enrolled (their row goes, the rest close
// up) and a new one. The first is reported apart (the index grows its storage at start, so it should be like the
// rest); the median of the next ten is quoted.
const changeMsAll: number[] = [];
for (let k = 0; k < 11; k++) {
  const t3 = performance.now();
  index.apply([{ ...people[k], vectors: [{ vector: people[k + 1].vectors[0].vector, quality: null }] }, { id: 1e12 + k, name: `new-${k}`, vectors: people[k].vectors }], []);
  changeMsAll.push(performance.now() - t3);
}
const firstChangeMs = changeMsAll[0];
const changeMs = changeMsAll.slice(1).sort((a, b) => a - b)[5];
mirror.stop();
await store.close();
process.stdout.write(JSON.stringify({ identities: people.length, loadS, buildS, searchMs, changeMs, firstChangeMs, hits, queries: QUERIES, rssBaseMb: rss0, mirrorMb: rssMirror - rss0, replicaMb: rssIndex - rss0, liveMirrorMb: liveMirror - live0, liveReplicaMb: liveIndex - live0 }) + '\n');
