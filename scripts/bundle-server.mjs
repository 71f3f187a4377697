// Replaces the compiled server entry (dist/src/infrastructure/cli.js) with one
// bundled file: the server's own modules and its packages (Inversify alone is
// ~250 ES modules) loaded as ~400 separate modules cost ~8 MiB of idle RSS
// (module records, per-module code and the loader's work); one file does not.
// ADR 0018. Run by `npm run build` after tsc; the other compiled modules
// (library, tests, benchmarks) stay as tsc wrote them.
/* global console, process */
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist/src/infrastructure/cli.js');

if (readFileSync(entry, 'utf8').includes('__ratCreateRequire')) {
  console.error(`bundle-server: ${entry} is already a bundle: run tsc first (npm run build does)`);
  process.exit(1);
}

/**
 * classic-level finds its prebuilt binding relative to its own directory
 * (`node-gyp-build(__dirname)`); bundled, it looks where the installed package
 * is. Its JavaScript is bundled too: loading its ~20 CommonJS modules at start
 * resolves enough paths to make V8 compile path.resolve with TurboFan, which
 * maps ~4 MiB more of the node binary before any request arrives.
 */
const levelBinding = {
  name: 'level-binding',
  setup(b) {
    b.onLoad({ filter: /[\\/]classic-level[\\/]binding\.js$/ }, () => ({
      contents: "module.exports = require('node-gyp-build')(require('node:path').dirname(require.resolve('classic-level/package.json')));",
      loader: 'js',
      resolveDir: path.join(root, 'node_modules/classic-level'),
    }));
  },
};

/**
 * Node built-ins that CommonJS packages load at start but the server needs
 * only on paths it rarely or never takes: `worker_threads` and `assert`
 * (with `module`, `util` colours and Node's worker machinery) cost an idle
 * server ~0.3 MiB of RSS (docs/memory.md, "Idle RSS"). Each edit names the
 * exact line it replaces, and the build fails when a package update changed
 * it, rather than bundling the package unchanged without anyone noticing.
 */
const LAZY_REQUIRES = [
  {
    // pino's transports (thread-stream: worker_threads, assert) are used only with pino({ transport }).
    file: /[\\/]pino[\\/]lib[\\/]tools\.js$/,
    edits: [
      ["const transport = require('./transport')", "const transport = (...args) => require('./transport')(...args)"],
      // The bundle is the server's entry, run on the main thread only: no need to load worker_threads to ask.
      ["const { isMainThread } = require('worker_threads')", 'const isMainThread = true'],
    ],
  },
  {
    file: /[\\/]pino[\\/]pino\.js$/,
    edits: [["module.exports.transport = require('./lib/transport')", "module.exports.transport = (...args) => require('./lib/transport')(...args)"]],
  },
  {
    // sonic-boom calls assert(...) only as a function, on one error path.
    file: /[\\/]sonic-boom[\\/]index\.js$/,
    edits: [["const assert = require('assert')", "const assert = (...args) => require('assert')(...args)"]],
  },
];

const lazyEdited = new Set();
const lazyRequires = {
  name: 'lazy-requires',
  setup(b) {
    for (const { file, edits } of LAZY_REQUIRES) {
      b.onLoad({ filter: file }, (args) => {
        lazyEdited.add(file);
        let contents = readFileSync(args.path, 'utf8');
        for (const [from, to] of edits) {
          if (!contents.includes(from)) throw new Error(`bundle-server: ${args.path} no longer has \`${from}\`: update LAZY_REQUIRES`);
          contents = contents.replace(from, to);
        }
        return { contents, loader: 'js' };
      });
    }
  },
};

const result = await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [levelBinding, lazyRequires],
  // The CommonJS packages inside (pino, convict, level) require Node's built-ins and the binding.
  banner: { js: "import { createRequire as __ratCreateRequire } from 'node:module';\nconst require = __ratCreateRequire(import.meta.url);" },
  minifyWhitespace: true,
  legalComments: 'none',
  sourcemap: 'linked',
  outfile: entry,
  write: false,
  logLevel: 'warning',
});
for (const { file } of LAZY_REQUIRES) {
  if (!lazyEdited.has(file)) throw new Error(`bundle-server: no bundled file matches ${file}: update LAZY_REQUIRES`);
}
for (const file of result.outputFiles) {
  // V8 keeps a module's source for lazy compilation, and one character beyond Latin-1 (the admin
  // page's '\u2013') makes it a two-byte string: twice the memory. Such characters occur only in
  // string and template literals, where \uXXXX means the same (in the page's String.raw script they
  // sit inside its own JavaScript strings, which the browser decodes the same way).
  const text = file.path.endsWith('.js') ? file.text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : file.text;
  writeFileSync(file.path, text);
}
