// The --stats keys of record shaping, the same in every command and engine.

/** The normalizer's counters when records are normalized, else how many --flows-only left out (when any). */
export function shapeStats(normalize: object | undefined, flowsOnlyDropped: number): { normalize?: object; flowsOnlyDropped?: number } {
  return normalize !== undefined ? { normalize } : flowsOnlyDropped > 0 ? { flowsOnlyDropped } : {};
}
