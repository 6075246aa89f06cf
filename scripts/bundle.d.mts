/** Types for scripts/bundle.mjs, so TypeScript callers (the benchmarks) reuse its build options. */
/** [output name, source path relative to the repository root] */
export type Entry = [string, string];
export const PROGRAMS: Record<string, string>;
/** Bundles each entry into OUTDIR/<name>.mjs (OUTDIR two levels below the root, where proto.ts looks). */
export function bundle(entries: Entry[], outdir: string): Promise<void>;
