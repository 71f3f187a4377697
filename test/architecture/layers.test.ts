import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dependency rule, checked on the TypeScript sources: domain imports
 * nothing outward, application imports only domain, adapters never import
 * infrastructure. A violation fails `npm test`.
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
    expect(importsOf("import { a } from './a.js';\nimport type { B } from '../b.js';\nexport * from './c.js';\nexport { d } from \"./d.js\";\nimport 'reflect-metadata';\nconst x = await import('node:fs');\n")).to.deep.equal([
      './a.js',
      '../b.js',
      './c.js',
      './d.js',
      'reflect-metadata',
      'node:fs',
    ]);
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

  it('src/adapters never imports src/infrastructure', () => {
    const bad = edges('adapters').filter((e) => e.target !== undefined && inside(e.target, 'infrastructure'));
    expect(bad.map(show)).to.deep.equal([]);
  });
});
