/**
 * Development only (never built into dist/, see tsconfig.build.json): the
 * TypeScript loader a worker registers when the scan worker runs from sources.
 * Loader hooks that a test runner installed with module.register() do not reach
 * worker threads, so the worker registers this one itself.
 */
export function loaderUrl(): string | null {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return null;
  }
}

/** The same loader for a child process: the URL to pass to `node --import`. */
export function importLoaderUrl(): string | null {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return null;
  }
}
