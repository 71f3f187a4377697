import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_OPTIONS, USAGE } from '../../../src/infrastructure/cli-args.js';
import { loadSettings, schema } from '../../../src/infrastructure/config.js';

// dist/test/unit/infrastructure -> repository root
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const doc = readFileSync(path.join(root, 'docs', 'configuration.md'), 'utf8');

/** The `| key | default | env | meaning |` rows under each `### [section]` heading. */
function documentedKeys(): Map<string, { def: string; env: string }> {
  const out = new Map<string, { def: string; env: string }>();
  let section: string | undefined;
  for (const line of doc.split('\n')) {
    const h = /^#{2,3} \[(\w+)\]\s*$/.exec(line);
    if (h) section = h[1];
    else if (/^#{1,3} /.test(line)) section = undefined;
    else if (section && line.startsWith('| ') && !line.startsWith('| key ')) {
      const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
      out.set(`${section}.${cells[1]}`, { def: cells[2]!, env: cells[3]! });
    }
  }
  return out;
}

/** The long flags named in the command-line table. */
function documentedFlags(): Set<string> {
  const start = doc.indexOf('## Command-line flags');
  const table = doc.slice(start, doc.indexOf('\n## ', start + 1));
  const out = new Set<string>();
  for (const line of table.split('\n')) {
    if (!line.startsWith('| `')) continue;
    for (const m of line.split(' | ')[0]!.matchAll(/`(--?[\w-]+)/g)) out.add(m[1]!);
  }
  return out;
}

describe('docs/configuration.md is in step with the schema and the flags', () => {
  const schemaKeys = new Map<string, { env: string }>();
  for (const [section, keys] of Object.entries(schema)) {
    for (const [key, spec] of Object.entries(keys as Record<string, { env: string }>)) schemaKeys.set(`${section}.${key}`, spec);
  }

  it('documents every key in the schema, with its variable and the default the server runs with', () => {
    const documented = documentedKeys();
    const server = loadSettings([path.join(root, 'config', 'default.toml')]) as unknown as Record<string, Record<string, unknown>>;
    for (const [name, spec] of schemaKeys) {
      const row = documented.get(name);
      expect(row, `${name} is not documented in docs/configuration.md`).to.not.equal(undefined);
      expect(row!.env, name).to.equal(spec.env);
      const [section, key] = name.split('.') as [string, string];
      expect(row!.def.replace(/ \(library: .*\)$/, ''), `${name} default`).to.equal(JSON.stringify(server[section]![key]));
    }
  });

  it('documents no key the schema does not have', () => {
    for (const name of documentedKeys().keys()) expect(schemaKeys.has(name), `${name} is documented but not in the schema`).to.equal(true);
  });

  it('documents every flag, and only flags that exist, in the doc and in --help', () => {
    const documented = documentedFlags();
    const real = new Set<string>();
    for (const [long, spec] of Object.entries(CLI_OPTIONS)) {
      real.add(`--${long}`);
      if ('short' in spec) real.add(`-${spec.short}`);
    }
    for (const flag of real) expect(documented.has(flag), `${flag} is not in docs/configuration.md`).to.equal(true);
    for (const flag of documented) expect(real.has(flag), `${flag} is documented but not accepted`).to.equal(true);
    for (const [long, spec] of Object.entries(CLI_OPTIONS)) {
      expect(USAGE.includes(`--${long}`) || ('short' in spec && USAGE.includes(`-${spec.short}`)), `--help does not mention --${long}`).to.equal(true);
    }
  });

  it('every doc and the README name only keys and RAT_<SECTION>_<KEY> variables that exist', () => {
    const sections = Object.keys(schema).join('|');
    const envs = new Set([...schemaKeys.values()].map((spec) => spec.env));
    const files = [
      'README.md',
      ...readdirSync(path.join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => path.join('docs', f)),
    ];
    const wrong: string[] = [];
    for (const file of files) {
      const text = readFileSync(path.join(root, file), 'utf8');
      // `l2.sync_writes` but not `performance.now()`.
      for (const m of text.matchAll(new RegExp(`\`((?:${sections})\\.[a-z0-9_]+)(?![a-z0-9_(])`, 'g')))
        if (!schemaKeys.has(m[1]!)) wrong.push(`${file}: ${m[1]}`);
      // Harness knobs (RATTEST_DIFF_SEED...) name no section; RAT_SERVER_SSL_* is a family.
      for (const m of text.matchAll(new RegExp(`\\bRAT_(?:${sections.toUpperCase()})_[A-Z0-9_]*[A-Z0-9]\\b(?!_)`, 'g')))
        if (!envs.has(m[0])) wrong.push(`${file}: ${m[0]}`);
    }
    expect(wrong).to.deep.equal([]);
  });
});
