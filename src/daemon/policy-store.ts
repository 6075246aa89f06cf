/**
 * Holds the current policy. A missing file means the built-in default (root and
 * the admin group only); an invalid file fails start-up with every mistake
 * listed, and on SIGHUP an invalid file is rejected while the old policy stays.
 */
import fs from 'node:fs';
import { DENY_ALL, parsePolicy, type NameResolver, type Policy } from '../broker/policy.js';

export class PolicyStore {
  current: Policy = DENY_ALL;
  loadedAt: Date | null = null;
  source: 'file' | 'default' = 'default';
  readonly file: string;
  #names: () => NameResolver;

  constructor(file: string, names: () => NameResolver) {
    this.file = file;
    this.#names = names;
  }

  /** Load or reload; throws PolicyError/Error and leaves the current policy alone on failure. */
  load(): { source: 'file' | 'default'; rules: number } {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read policy ${this.file}: ${(e as Error).message}`);
      this.current = DENY_ALL;
      this.source = 'default';
      this.loadedAt = new Date();
      return { source: 'default', rules: 0 };
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new Error(`policy ${this.file} is not valid JSON: ${(e as Error).message}`);
    }
    const p = parsePolicy(doc, this.#names());
    this.current = p;
    this.source = 'file';
    this.loadedAt = new Date();
    return { source: 'file', rules: p.rules.length };
  }
}
