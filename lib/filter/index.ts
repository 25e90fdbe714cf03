/**
 * The `--filter` language as a function: `compileFilter('protocolIdentifier==6 && destinationTransportPort<1024')`
 * gives a predicate over records. `import { compileFilter } from 'flowpipe/filter'`.
 * @packageDocumentation
 */
export { compileFilter } from './expr.js';
