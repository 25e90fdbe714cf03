// collect --alert rules.yaml: threshold rules (lib/analysis/alert.ts) as a stage after decoding;
// each alert and its end also one line on stderr.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { RuleSpec } from '../../lib/analysis/alert.js';
import { compileRules } from '../../lib/analysis/alert.js';
import { AlertStage } from '../../transforms/analysis/alert.js';
import { UsageError } from './args.js';

export const ALERT_HELP = `  --alert FILE          threshold rules (YAML or JSON): alert records in the output, one line each on
                        stderr, commands and webhooks run (README "Analysis"); not with --workers`;

/** The rules of a YAML/JSON file (a list, or { rules: [...] }), checked; errors name the file and rule. */
export function loadRules(file: string): RuleSpec[] {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const rules = Array.isArray(doc) ? doc : (doc as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) throw new UsageError(`${file}: expected a list of rules (or rules: [...])`);
  try {
    compileRules(rules as RuleSpec[]);
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message}`);
  }
  return rules as RuleSpec[];
}

/** The alert stage of --alert, logging alerts on stderr. */
export function alertStage(file: string): AlertStage {
  return new AlertStage({
    rules: loadRules(file), passFlows: true,
    onAlert: (a) => process.stderr.write(a.type === 'alert'
      ? `flowpipe: alert ${a.rule}: ${a.key} ${a.measure} ${a.value} >= ${a.threshold}\n`
      : `flowpipe: alert ${a.rule}: ${a.key} ended\n`),
  });
}
