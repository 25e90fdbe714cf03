// Floods of valid traffic against the decoder's default caps (templates, fields, pending data,
// spoofed sources) and template churn: time per datagram and peak RSS, each in its own process.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { root, type Row } from './common.js';

const MODES: [string, string][] = [
  ['templates', '1.2 M two-field templates: 3 exporters x 1,024 domains x 400'],
  ['fields', '6,000 templates of 1,000 fields'],
  ['used', '45,000 datagrams each defining and using a 100-field template'],
  ['pending', '100,000 sources, data whose template never comes'],
  ['churn', 'a template redefined with a new layout in every datagram'],
];

export function floodBench(): Row[] {
  return MODES.map(([mode, what]) => {
    const out = execFileSync(process.execPath, [join(root, 'dist', 'bench', 'flood-child.js'), mode], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const r = JSON.parse(out) as { datagrams: number; us: number; state: { templates: number; templateFields: number; pendingSets: number; exporters: number }; evicted: Record<string, number>; peakRssMb: number };
    return {
      name: `flood ${mode}: ${what}`, datagrams_s: Math.round(1e6 / r.us), rss_mb: r.peakRssMb,
      note: `${r.us.toFixed(1)} µs/datagram; held ${r.state.templates} templates, ${r.state.templateFields} fields, ${r.state.pendingSets} pending sets, ${r.state.exporters} exporters; evicted ${JSON.stringify(r.evicted)}`,
    };
  });
}
