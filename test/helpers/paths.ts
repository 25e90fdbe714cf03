// Where things are, for tests that run from dist/test/**: the repository root (fixtures, examples
// and the bundled samples stay in the source tree) and the built CLI.
import { fileURLToPath } from 'node:url';

/** The repository root, with a trailing slash (this file runs as dist/test/helpers/paths.js). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The built CLI entry point. */
export const BIN = fileURLToPath(new URL('../../bin/flowpipe.js', import.meta.url));
