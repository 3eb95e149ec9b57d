/** FNV-1a, 32 bit: a small, stable, dependency-free hash for deterministic A/B buckets. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A bucket in [0, 10000): the same seed always lands in the same bucket. */
export const bucketOf = (seed: string): number => fnv1a32(seed) % 10_000;
