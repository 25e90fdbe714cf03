// Sink client libraries are optional: each is imported when its sink is first used, and a
// missing one is one clear message naming the package to install.
import { SinkError } from './batching-sink.js';

/** Imports `pkg` for the `sink` sink, or throws a SinkError saying how to install it. */
export async function importClient<T>(pkg: string, sink: string): Promise<T> {
  try {
    return (await import(pkg)) as T;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new SinkError(`the ${sink} sink needs the '${pkg}' package: npm install ${pkg}`);
    throw err;
  }
}
