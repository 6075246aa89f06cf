/**
 * A tiny log-log line plot written as a PNG with nothing but node:zlib: an RGB
 * raster, lines, dots, and a 3×5 pixel font for labels. The benchmarks run
 * offline, so no plotting package is fetched at run time.
 */
import zlib from 'node:zlib';

type RGB = [number, number, number];

// 3×5 glyphs, one row a string of 3 bits ("#" set), for what the labels use.
const FONT: Record<string, string> = {
  '0': '###,#.#,#.#,#.#,###', '1': '.#.,##.,.#.,.#.,###', '2': '###,..#,###,#..,###', '3': '###,..#,.##,..#,###', '4': '#.#,#.#,###,..#,..#',
  '5': '###,#..,###,..#,###', '6': '###,#..,###,#.#,###', '7': '###,..#,.#.,.#.,.#.', '8': '###,#.#,###,#.#,###', '9': '###,#.#,###,..#,###',
  'A': '.#.,#.#,###,#.#,#.#', 'B': '##.,#.#,##.,#.#,##.', 'C': '.##,#..,#..,#..,.##', 'D': '##.,#.#,#.#,#.#,##.', 'E': '###,#..,##.,#..,###',
  'F': '###,#..,##.,#..,#..', 'G': '.##,#..,#.#,#.#,.##', 'H': '#.#,#.#,###,#.#,#.#', 'I': '###,.#.,.#.,.#.,###', 'J': '..#,..#,..#,#.#,.#.',
  'K': '#.#,#.#,##.,#.#,#.#', 'L': '#..,#..,#..,#..,###', 'M': '#.#,###,###,#.#,#.#', 'N': '##.,#.#,#.#,#.#,#.#', 'O': '.#.,#.#,#.#,#.#,.#.',
  'P': '##.,#.#,##.,#..,#..', 'Q': '.#.,#.#,#.#,##.,.##', 'R': '##.,#.#,##.,#.#,#.#', 'S': '.##,#..,.#.,..#,##.', 'T': '###,.#.,.#.,.#.,.#.',
  'U': '#.#,#.#,#.#,#.#,###', 'V': '#.#,#.#,#.#,#.#,.#.', 'W': '#.#,#.#,###,###,#.#', 'X': '#.#,#.#,.#.,#.#,#.#', 'Y': '#.#,#.#,.#.,.#.,.#.',
  'Z': '###,..#,.#.,#..,###', ' ': '...,...,...,...,...', '.': '...,...,...,...,.#.', '-': '...,...,###,...,...', '/': '..#,..#,.#.,#..,#..',
  '(': '.#.,#..,#..,#..,.#.', ')': '.#.,..#,..#,..#,.#.', ':': '...,.#.,...,.#.,...', '×': '...,#.#,.#.,#.#,...', '=': '...,###,...,###,...',
  ',': '...,...,...,.#.,#..', '%': '#.#,..#,.#.,#..,#.#', '<': '..#,.#.,#..,.#.,..#', '>': '#..,.#.,..#,.#.,#..',
};

export class Raster {
  readonly px: Buffer;
  constructor(readonly w: number, readonly h: number, bg: RGB = [255, 255, 255]) {
    this.px = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) this.px.set(bg, i * 3);
  }

  dot(x: number, y: number, c: RGB, r = 0): void {
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
      const X = Math.round(x) + dx;
      const Y = Math.round(y) + dy;
      if (X >= 0 && Y >= 0 && X < this.w && Y < this.h) this.px.set(c, (Y * this.w + X) * 3);
    }
  }

  line(x0: number, y0: number, x1: number, y1: number, c: RGB, r = 0): void {
    const n = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let i = 0; i <= n; i++) this.dot(x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * i) / n, c, r);
  }

  text(x: number, y: number, s: string, c: RGB = [0, 0, 0], scale = 2): void {
    for (const ch of s.toUpperCase()) {
      const g = FONT[ch] ?? FONT[' '];
      g.split(',').forEach((row, ry) => [...row].forEach((b, rx) => {
        if (b === '#') for (let a = 0; a < scale; a++) for (let b2 = 0; b2 < scale; b2++) this.dot(x + rx * scale + a, y + ry * scale + b2, c);
      }));
      x += 4 * scale;
    }
  }

  png(): Buffer {
    const raw = Buffer.alloc((this.w * 3 + 1) * this.h);
    for (let y = 0; y < this.h; y++) this.px.copy(raw, y * (this.w * 3 + 1) + 1, y * this.w * 3, (y + 1) * this.w * 3);
    const chunk = (type: string, data: Buffer) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const td = Buffer.concat([Buffer.from(type), data]);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(td));
      return Buffer.concat([len, td, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(this.w, 0);
    ihdr.writeUInt32BE(this.h, 4);
    ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
    return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  }
}

let table: Uint32Array | undefined;
function crc32(b: Buffer): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const x of b) c = table[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface Series { name: string; points: [number, number][]; color: RGB }
export interface Panel { title: string; xLabel: string; yLabel: string; series: Series[] }

/** Panels side by side, each log-log with decade grid lines, and a dashed "linear" slope for reference. */
export function plot(panels: Panel[], title: string): Buffer {
  const PW = 420;
  const PH = 340;
  const img = new Raster(PW * panels.length, PH + 40);
  img.text(10, 8, title, [0, 0, 0], 2);
  panels.forEach((p, i) => {
    const ox = i * PW + 60;
    const oy = 60;
    const w = PW - 90;
    const h = PH - 130;
    const pts = p.series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
    if (!pts.length) return;
    const lx = pts.map(([x]) => Math.log10(x));
    const ly = pts.map(([, y]) => Math.log10(y));
    const x0 = Math.floor(Math.min(...lx));
    const x1 = Math.max(Math.ceil(Math.max(...lx)), x0 + 1);
    const y0 = Math.floor(Math.min(...ly));
    const y1 = Math.max(Math.ceil(Math.max(...ly)), y0 + 1);
    const X = (x: number) => ox + ((Math.log10(x) - x0) / (x1 - x0)) * w;
    const Y = (y: number) => oy + h - ((Math.log10(y) - y0) / (y1 - y0)) * h;
    img.text(ox, 34, p.title, [0, 0, 0], 2);
    for (let d = x0; d <= x1; d++) {
      img.line(X(10 ** d), oy, X(10 ** d), oy + h, [225, 225, 225]);
      img.text(X(10 ** d) - 6, oy + h + 6, fmtPow(d), [60, 60, 60], 2);
    }
    for (let d = y0; d <= y1; d++) {
      img.line(ox, Y(10 ** d), ox + w, Y(10 ** d), [225, 225, 225]);
      img.text(ox - 50, Y(10 ** d) - 5, fmtPow(d), [60, 60, 60], 2);
    }
    img.line(ox, oy, ox, oy + h, [0, 0, 0]);
    img.line(ox, oy + h, ox + w, oy + h, [0, 0, 0]);
    img.text(ox + w / 2 - p.xLabel.length * 4, oy + h + 24, p.xLabel, [0, 0, 0], 2);
    img.text(ox - 50, oy + h + 40, p.yLabel, [0, 0, 0], 2);
    p.series.forEach((s, k) => {
      const ok = s.points.filter(([x, y]) => x > 0 && y > 0);
      for (let j = 1; j < ok.length; j++) img.line(X(ok[j - 1][0]), Y(ok[j - 1][1]), X(ok[j][0]), Y(ok[j][1]), s.color, 1);
      for (const [x, y] of ok) img.dot(X(x), Y(y), s.color, 3);
      // Linear growth from the first point, dashed grey, for the eye.
      if (ok.length > 1) {
        const [fx, fy] = ok[0];
        const [lx2] = ok[ok.length - 1];
        const n = 40;
        for (let j = 0; j < n; j += 2) {
          const a = fx * (lx2 / fx) ** (j / n);
          const b = fx * (lx2 / fx) ** ((j + 1) / n);
          const ya = Y((fy * a) / fx);
          const yb = Y((fy * b) / fx);
          if (ya >= oy && yb >= oy) img.line(X(a), ya, X(b), yb, [170, 170, 170]);
        }
      }
      img.dot(ox + 6, oy + h + 62 + k * 16, s.color, 4);
      img.text(ox + 16, oy + h + 57 + k * 16, s.name, [0, 0, 0], 2);
    });
  });
  return img.png();
}

function fmtPow(d: number): string {
  const v = 10 ** d;
  return v >= 1 ? String(v >= 1e6 ? `1E${d}` : v) : v >= 0.001 ? String(Number(v.toFixed(3))) : `1E${d}`;
}
