/**
 * Attributes derived from the images themselves, for group differentials (docs/metrics.md: grayscale,
 * resolution band, face size). Bands are defined here once; breakdowns.ts groups by the same ones.
 */
import type { DatasetManifest } from '../datasets/manifest.js';
import type { EmbeddingTable } from '../pipeline/embedding-table.js';
import type { ImageAttribute } from '../datasets/attributes.js';

/** Upper edge (exclusive) and label of each band. */
export type Bands = ReadonlyArray<readonly [number, string]>;

/** The image's shorter side, after EXIF orientation. */
export const RESOLUTION_BANDS: Bands = [[64, '< 64 px'], [128, '64–127 px'], [256, '128–255 px'], [512, '256–511 px'], [Infinity, '≥ 512 px']];
/** Face size as the distance between the eye landmarks in original pixels (the measure of ISO/IEC 39794-5). */
export const FACE_SIZE_BANDS: Bands = [[30, 'eyes < 30 px apart'], [60, '30–59 px'], [90, '60–89 px'], [Infinity, '≥ 90 px']];
/** The face box's share of the image area. */
export const FACE_AREA_BANDS: Bands = [[0.02, 'face < 2% of image'], [0.1, '2–10%'], [0.3, '10–30%'], [Infinity, '≥ 30%']];

/** The names of the derived attributes, as derivedAttributes gives them (face size only where landmarks exist). */
export const DERIVED_ATTRIBUTES = ['grayscale', 'resolution', 'face size'] as const;
const [GRAYSCALE, RESOLUTION, FACE_SIZE] = DERIVED_ATTRIBUTES;

export const bandOf = (v: number, bands: Bands): string => bands.find(([hi]) => v < hi)![1];

/**
 * Grayscale and resolution come from the manifest (known for every decodable image); face size from the
 * detector's landmarks (unknown where no face was found, and in pre-aligned mode, where there are none).
 */
export function derivedAttributes(manifest: DatasetManifest, table: EmbeddingTable): ImageAttribute[] {
  const decoded = (i: number) => manifest.images[i].width > 0;
  const imgs = manifest.images;
  const faceSize = imgs.map((_, i) => {
    const ied = table.quality[i]?.interEyeDistance;
    return ied === undefined || !Number.isFinite(ied) ? null : bandOf(ied, FACE_SIZE_BANDS);
  });
  const attrs: ImageAttribute[] = [
    { name: GRAYSCALE, source: 'derived', per: 'image', values: imgs.map((m, i) => (decoded(i) ? (m.grayscale ? 'grayscale' : 'colour') : null)) },
    { name: RESOLUTION, source: 'derived', per: 'image', values: imgs.map((m, i) => (decoded(i) ? bandOf(Math.min(m.width, m.height), RESOLUTION_BANDS) : null)) },
  ];
  // Pre-aligned crops have no landmarks: the attribute would be all unknown, so it is left out rather than shown empty.
  if (faceSize.some((v) => v !== null)) attrs.push({ name: FACE_SIZE, source: 'derived', per: 'image', values: faceSize });
  return attrs;
}
