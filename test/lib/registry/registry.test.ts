import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ipfixElement, v9Element, v9ScopeElement } from '../../../lib/index.js';
import { ROOT } from '../../helpers/paths.js';

const root = ROOT;
const shared = join(root, '..', 'shared', 'registry');

test('the committed registry is what the generator makes from shared/registry', { skip: !existsSync(shared) && 'no ../shared' }, () => {
  const out = join(mkdtempSync(join(tmpdir(), 'flowpipe-reg-')), 'elements.ts');
  execFileSync(process.execPath, [join(root, 'scripts/gen-registry.mjs'), shared, out]);
  assert.equal(readFileSync(out, 'utf8'), readFileSync(join(root, 'lib/registry/elements.generated.ts'), 'utf8'));
});

test('naming rule', () => {
  assert.equal(ipfixElement(0, 1).name, 'octetDeltaCount');
  assert.equal(ipfixElement(29305, 1).name, 'reverseOctetDeltaCount');
  assert.equal(ipfixElement(29305, 137).known, false, 'RFC 5103 non-reversible elements are not reversed');
  assert.equal(ipfixElement(5951, 133).name, 'netscalerConnectionId');
  assert.equal(ipfixElement(5951, 128).name, 'roundTripTime');
  assert.equal(ipfixElement(10704, 4).name, 'FW_Rule');
  assert.equal(ipfixElement(12345, 6).name, 'ie12345_6');
  assert.equal(ipfixElement(0, 9999).name, 'ie9999');
  assert.equal(v9Element(1).name, 'octetDeltaCount');
  assert.equal(v9Element(40000).name, 'userName', 'v9 types >= 32768 via netflowExtra');
  assert.equal(v9Element(56701).name, 'appId', 'then the Cisco name, camelCased');
  assert.equal(v9ScopeElement(1).name, 'scopeSystem');
  assert.equal(v9ScopeElement(5).name, 'scopeTemplate');
});
