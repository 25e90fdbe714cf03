// Shared pieces of the benchmark: result rows, medians, RSS polling, paths.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const benchDir = join(root, 'bench');
export const RUNS = 5;
export const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 1.5);

export interface Row { name: string; records_s?: number; datagrams_s?: number; rss_mb?: number; checksum?: number; note?: string }
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const rssMb = (): number => Math.round(process.memoryUsage().rss / 1048576);

/** Polls a child's memory (VmHWM peak or VmRSS) from /proc; `stop()` returns the highest MB seen. */
export function watchRss(pid: number | undefined, field: 'VmHWM' | 'VmRSS', everyMs: number): { stop: () => number } {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const kb = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (kb !== undefined) peak = Math.max(peak, Math.round(Number(kb) / 1024));
    } catch { /* exited */ }
  }, everyMs);
  return { stop: () => { clearInterval(timer); return peak; } };
}

