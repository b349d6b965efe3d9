/** Hostile inputs the hostile-input tests and bench/hostile-svg.ts share (issue 12). */

/**
 * A 389-byte SVG under the 50 MP cap (7000²) whose rendering keeps librsvg busy for well over a minute: ten
 * octaves of turbulence under a wide blur, three times. Measured here: still rendering after 90 s, and sharp's
 * own timeout did not stop it. It must never reach a decoder.
 */
export const SVG_BOMB = `<svg xmlns="http://www.w3.org/2000/svg" width="7000" height="7000"><defs><filter id="f" x="0" y="0" width="100%" height="100%"><feTurbulence baseFrequency="0.9" numOctaves="10"/><feGaussianBlur stdDeviation="200"/></filter></defs>${'<rect width="100%" height="100%" filter="url(#f)"/>'.repeat(3)}</svg>`;
