/** The version LwM2M assumes when a DDF has no (or an empty) ObjectVersion / LWM2MVersion. */
export const DEFAULT_VERSION = '1.0';

/** "1.0" for undefined or blank input, otherwise the trimmed version text. */
export function normalizeVersion(version: string | undefined): string {
  const trimmed = version?.trim() ?? '';
  return trimmed === '' ? DEFAULT_VERSION : trimmed;
}

/**
 * Orders "major.minor" versions numerically ("1.10" after "1.9"); falls back to string order
 * for parts that are not numbers so that any text still sorts deterministically.
 */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.');
  const right = b.split('.');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const l = left[i] ?? '0';
    const r = right[i] ?? '0';
    const ln = /^\d+$/.test(l) ? Number(l) : Number.NaN;
    const rn = /^\d+$/.test(r) ? Number(r) : Number.NaN;
    if (!Number.isNaN(ln) && !Number.isNaN(rn)) {
      if (ln !== rn) return ln - rn;
    } else if (l !== r) {
      return l < r ? -1 : 1;
    }
  }
  return 0;
}
