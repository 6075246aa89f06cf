/** A child process speaking JSON lines on stdout, commands on stdin. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { BENCH_DIR } from './report.js';

export class JsonChild {
  readonly proc: ChildProcess;
  #buf = '';
  #lines: any[] = [];
  #waiters: ((l: any) => void)[] = [];

  /** script: a .ts under bench/ (run through tsx), or a bundle's absolute path (plain node; see bundled.ts). */
  constructor(script: string, arg: object, nodeArgs: string[] = [], env: NodeJS.ProcessEnv = process.env) {
    const entry = script.endsWith('.mjs') ? [script] : ['--import', 'tsx', path.join(BENCH_DIR, script)];
    this.proc = spawn(process.execPath, [...nodeArgs, ...entry, JSON.stringify(arg)], {
      env,
      stdio: ['pipe', 'pipe', 'inherit'], cwd: path.resolve(BENCH_DIR, '..'),
    });
    this.proc.stdout!.setEncoding('utf8');
    this.proc.stdout!.on('data', (d: string) => {
      this.#buf += d;
      let i;
      while ((i = this.#buf.indexOf('\n')) >= 0) {
        const line = this.#buf.slice(0, i);
        this.#buf = this.#buf.slice(i + 1);
        try {
          const obj = JSON.parse(line);
          const w = this.#waiters.shift();
          if (w) w(obj); else this.#lines.push(obj);
        } catch { /* not ours */ }
      }
    });
  }

  next(): Promise<any> {
    const l = this.#lines.shift();
    return l ? Promise.resolve(l) : new Promise((r) => this.#waiters.push(r));
  }

  async ask(cmd: string): Promise<any> {
    this.proc.stdin!.write(cmd + '\n');
    return this.next();
  }

  end(): Promise<void> {
    this.proc.stdin!.end('quit\n');
    return new Promise((r) => this.proc.on('exit', () => r()));
  }
}
