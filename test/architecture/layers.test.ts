import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dependency rule, checked on the TypeScript sources: domain imports
 * nothing outward, application imports only domain, adapters never import
 * infrastructure, and domain and application use no Node runtime global
 * (timers, process, require...): those come through ports (Scheduler,
 * RuntimeInfo, Clock). `Buffer` is allowed: it is the value type of the
 * domain (CacheItem.value), a data structure without I/O, and the hot path
 * depends on handing the same bytes from socket to store. A violation fails
 * `npm test`.
 */

// dist/test/architecture -> repository root.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const src = path.join(root, 'src');

/** import/export ... from '...', import '...', and dynamic import('...'). */
const IMPORT = /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module specifier in a TypeScript source (comments stripped first). */
export function importsOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"])\/\/.*$/gm, '$1');
  const out: string[] = [];
  for (const m of code.matchAll(IMPORT)) out.push((m[1] ?? m[2])!);
  return out;
}

/** Node globals that tie code to the runtime (timers, the process, CommonJS); Buffer is deliberately not here. */
export const NODE_GLOBALS = [
  'process',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
  'queueMicrotask',
  'require',
  'module',
  'exports',
  '__dirname',
  '__filename',
  'global',
  'globalThis',
  'NodeJS',
] as const;

/** Files not yet checked for globals, each with the reason; empty the list as they are fixed. */
const GLOBALS_PENDING = new Map<string, string>([]);

/**
 * The code of a TypeScript source with comments and the text of string and
 * template literals blanked (a template's \${...} expressions are kept), so
 * a word found in what is left is code.
 */
export function codeOnly(text: string): string {
  let out = '';
  let i = 0;
  /** Brace depth of each open template expression. */
  const templates: number[] = [];
  let depth = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      out += ' ';
      continue;
    }
    if (c === "'" || c === '"') {
      i++;
      while (i < n && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      out += c + c;
      continue;
    }
    if (c === '`' || (c === '}' && templates.length > 0 && templates[templates.length - 1] === depth)) {
      if (c === '}') templates.pop();
      i++;
      // Template text up to the closing backtick or the next expression.
      while (i < n && text[i] !== '`' && !(text[i] === '$' && text[i + 1] === '{')) i += text[i] === '\\' ? 2 : 1;
      if (i < n && text[i] === '$') {
        templates.push(depth);
        i += 2;
        out += '`${';
      } else {
        i++;
        out += '``';
      }
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') depth--;
    out += c;
    i++;
  }
  return out;
}

/** The Node globals `text` uses as code (not as a property name, in a comment or in a string). */
export function nodeGlobalsIn(text: string): string[] {
  const found = new Set<string>();
  const code = codeOnly(text);
  for (const name of NODE_GLOBALS) {
    if (new RegExp(`(?<![.\\w$])${name}(?![\\w$])(?!\\s*:(?!:))`).test(code)) found.add(name);
  }
  return [...found];
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

interface Edge {
  file: string;
  spec: string;
  /** Resolved source path for a relative import, undefined for a package. */
  target: string | undefined;
}

function edges(layer: string): Edge[] {
  const out: Edge[] = [];
  for (const file of tsFiles(path.join(src, layer))) {
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      const target = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : undefined;
      out.push({ file: path.relative(root, file), spec, target });
    }
  }
  return out;
}

const inside = (target: string, layer: string) => target === path.join(src, layer) || target.startsWith(path.join(src, layer) + path.sep);
const show = (e: Edge) => `${e.file} imports '${e.spec}'`;

describe('architecture: layer dependency rule', () => {
  it('finds the import statements it must check', () => {
    expect(
      importsOf(
        "import { a } from './a.js';\nimport type { B } from '../b.js';\nexport * from './c.js';\nexport { d } from \"./d.js\";\nimport 'reflect-metadata';\nconst x = await import('node:fs');\n",
      ),
    ).to.deep.equal(['./a.js', '../b.js', './c.js', './d.js', 'reflect-metadata', 'node:fs']);
    expect(importsOf("import {\n  a,\n  b,\n} from './multi.js';")).to.deep.equal(['./multi.js']);
    expect(importsOf("// import x from 'commented';\n/* import y from 'block'; */")).to.deep.equal([]);
    expect(edges('domain').length).to.be.greaterThan(0);
    expect(edges('application').length).to.be.greaterThan(0);
    expect(edges('adapters').length).to.be.greaterThan(0);
  });

  it('src/domain imports nothing outside src/domain: no packages, no node:net/fs/http/tls/child_process', () => {
    const bad = edges('domain').filter((e) => e.target === undefined || !inside(e.target, 'domain'));
    expect(bad.map(show)).to.deep.equal([]);
  });

  it('src/application imports only itself and src/domain, no packages', () => {
    const bad = edges('application').filter((e) => e.target === undefined || !(inside(e.target, 'application') || inside(e.target, 'domain')));
    expect(bad.map(show)).to.deep.equal([]);
  });

  it('finds Node globals used as code, and only those', () => {
    expect(nodeGlobalsIn('const t = setTimeout(f, 1);\nconst p = process.pid;')).to.deep.equal(['process', 'setTimeout']);
    expect(nodeGlobalsIn('let h: NodeJS.Timeout;')).to.deep.equal(['NodeJS']);
    expect(nodeGlobalsIn('const x = `pid ${process.pid}`;')).to.deep.equal(['process']);
    expect(nodeGlobalsIn('await new Promise((r) => setImmediate(r));')).to.deep.equal(['setImmediate']);
    expect(nodeGlobalsIn("// setTimeout in a comment\n/* process */ const s = 'setImmediate'; const t = `require`;")).to.deep.equal([]);
    expect(nodeGlobalsIn('this.scheduler.setTimeout(1); o.process(); const v = { process: 1 }; const b = Buffer.alloc(1);')).to.deep.equal([]);
  });

  for (const layer of ['domain', 'application']) {
    it(`src/${layer} uses no Node runtime global (timers, process, require...): they come through ports`, () => {
      const bad: string[] = [];
      for (const file of tsFiles(path.join(src, layer))) {
        const rel = path.relative(root, file);
        if (GLOBALS_PENDING.has(rel)) continue;
        for (const name of nodeGlobalsIn(readFileSync(file, 'utf8'))) bad.push(`${rel} uses ${name}`);
      }
      expect(bad).to.deep.equal([]);
    });
  }

  it('src/adapters never imports src/infrastructure', () => {
    const bad = edges('adapters').filter((e) => e.target !== undefined && inside(e.target, 'infrastructure'));
    expect(bad.map(show)).to.deep.equal([]);
  });
});
