/**
 * Faces inlined in self-contained reports as data: URIs, bounded so a large run's report stays small. Wanted faces
 * come in the order the report shows them, so the bound drops the least-looked-at first; a face that cannot be
 * made (null) is kept as null for the report to say so, and what the bound dropped is counted, never hidden.
 */
export async function boundedThumbnails(
  wanted: Iterable<{ key: string; jpeg: () => Promise<Buffer | null> }>,
  bound: number,
): Promise<{ images: Map<string, string | null>; leftOut: number }> {
  const images = new Map<string, string | null>();
  const leftOut = new Set<string>();
  for (const w of wanted) {
    if (images.has(w.key)) continue;
    if (images.size >= bound) {
      leftOut.add(w.key);
      continue;
    }
    const jpeg = await w.jpeg();
    images.set(w.key, jpeg ? `data:image/jpeg;base64,${jpeg.toString('base64')}` : null);
  }
  return { images, leftOut: leftOut.size };
}
