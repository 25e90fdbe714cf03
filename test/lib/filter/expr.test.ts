import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, FilterError } from '../../../lib/filter/expr.js';

const rec = {
  protocolIdentifier: 6,
  destinationTransportPort: 443,
  sourceIPv4Address: '10.0.0.1',
  octetDeltaCount: 9007199254740993n,
  'src-port': 80,
  extendedSwitch: { sourceVlan: 20 },
  exporter: 'edge 1',
};

test('filter: comparisons, precedence, parentheses and the comma shorthand', () => {
  const cases: Array<[string, boolean]> = [
    ['protocolIdentifier == 6', true],
    ['protocolIdentifier=6,destinationTransportPort=443', true],
    ['protocolIdentifier=6,destinationTransportPort=80', false],
    ['protocolIdentifier == 17 || destinationTransportPort >= 443', true],
    ['protocolIdentifier == 17 || protocolIdentifier == 6 && destinationTransportPort < 100', false],
    ['(protocolIdentifier == 17 || protocolIdentifier == 6) && destinationTransportPort > 100', true],
    ['sourceIPv4Address == "10.0.0.1"', true],
    ["sourceIPv4Address != '10.0.0.1'", false],
    ['sourceIPv4Address == 10.0.0.1', true],
    ['octetDeltaCount > 1000', true],
    ['src-port == 80', true],
    ['extendedSwitch.sourceVlan <= 20', true],
    ['exporter == "edge 1"', true],
    ['missingField != 3', false],
    ['destinationTransportPort == -1', false],
  ];
  for (const [expr, want] of cases) assert.equal(compileFilter(expr)(rec), want, expr);
});

test('filter: only a record\'s own fields are read, never Object.prototype', () => {
  assert.equal(compileFilter('constructor == 1')({}), false);
  assert.equal(compileFilter('toString != x')({}), false);
  assert.equal(compileFilter('__proto__.polluted == 1')({}), false);
});

test('filter: malformed expressions are FilterErrors with the column', () => {
  const bad: Array<[string, number]> = [
    ['', 1],
    ['x === 6', 3],
    ['&&', 1],
    ['x==6 &&', 8],
    ['x == "open', 6],
    ['x > abc', 5],
    ['(x==1', 6],
    ['x==1)', 5],
    ['x 6', 3],
    ['x==', 4],
    ['1abc == 2', 1],
    ['a ~~ b', 3],
    ['x==1 y==2', 6],
  ];
  for (const [expr, column] of bad) {
    assert.throws(() => compileFilter(expr), (e: unknown) => e instanceof FilterError && e.column === column, `${expr} → column ${column}`);
  }
});
