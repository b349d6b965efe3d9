import { FrwError, errorMessage } from './errors.js';

/**
 * Why a face could not be acquired from an image (ISO/IEC 19795-1 "failure to acquire"). Every such image is
 * counted under one of these reasons and reported; none is dropped silently.
 */
export const FAILURE_REASONS = [
  'empty-file', // zero bytes
  'not-an-image', // not an image at all (a text file named .jpg)
  'unsupported-format', // an image, but not of a format we decode (SVG, BMP, HEIC…): refused from its first bytes
  'truncated', // the file ends before its pixel data does
  'too-large', // over the megapixel cap
  'unreadable', // any other decode error, or a missing file
  'no-face', // decoded, but the detector found no face above its threshold
  'multiple-faces', // several faces and a policy that refuses to guess (enrolment)
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export function acquisitionFailure(reason: FailureReason, message: string, details: Record<string, unknown> = {}): FrwError {
  return new FrwError('BAD_INPUT', message, { ...details, reason });
}

/** The failure reason carried by an error, or 'unreadable' for anything unexpected. */
export function failureReasonOf(e: unknown): { reason: FailureReason; message: string } {
  const r = e instanceof FrwError ? e.details?.reason : undefined;
  const reason = (FAILURE_REASONS as readonly string[]).includes(r as string) ? (r as FailureReason) : 'unreadable';
  return { reason, message: errorMessage(e) };
}

/**
 * The failure to acquire carried by an error (made by acquisitionFailure: BAD_INPUT with one of FAILURE_REASONS),
 * or null for anything else — a model, runtime or I/O fault, which callers rethrow rather than count or cache.
 */
export function acquisitionFailureOf(e: unknown): { reason: FailureReason; message: string } | null {
  const marked = e instanceof FrwError && e.code === 'BAD_INPUT' && (FAILURE_REASONS as readonly string[]).includes(e.details?.reason as string);
  return marked ? failureReasonOf(e) : null;
}

/**
 * Failures decided by where or when the image was read, not by its bytes: a missing or forbidden file, a decode
 * that ran out of its time budget on a busy machine. They are counted like any failure to acquire, but a cache keyed
 * by the bytes (the face cache, shared by every embedder and dataset holding the same file) must not keep them.
 */
export const NOT_OF_THE_BYTES = { ofTheBytes: false } as const;

/** Whether a failure to acquire is a property of the image's bytes (see NOT_OF_THE_BYTES). */
export const failureOfTheBytes = (e: unknown): boolean => !(e instanceof FrwError && e.details?.ofTheBytes === false);

export type FailureCounts = Record<FailureReason, number>;
export const emptyFailureCounts = (): FailureCounts =>
  Object.fromEntries(FAILURE_REASONS.map((r) => [r, 0])) as FailureCounts;
