import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/unit/infrastructure -> repository root
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

/** The process-start settings a start-up file gives the server: the arena cap and V8's pool size. */
function settings(text: string): { arenas: string | undefined; pool: string | undefined } {
  const arenas = /MALLOC_ARENA_MAX(?:="\$\{MALLOC_ARENA_MAX:-|=)(\d+)/.exec(text)?.[1];
  const pool = /--v8-pool-size=(\d+)/.exec(text)?.[1];
  return { arenas, pool };
}

// ADR 0023: the container images cannot run the sh launcher's logic, so they repeat its settings.
describe('process-start settings: the launcher, both images and the systemd example agree', () => {
  const launcher = settings(read('bin/rat-memcached'));

  it('the launcher sets both', () => {
    expect(launcher.arenas).to.be.a('string');
    expect(launcher.pool).to.be.a('string');
  });

  for (const file of ['Dockerfile', 'scripts/build-image.sh']) {
    it(`${file} starts the server with the launcher's settings`, () => {
      const text = read(file);
      expect(settings(text)).to.deep.equal(launcher);
      expect(text).to.match(/^ENTRYPOINT \["node", "--v8-pool-size=\d+", "\/app\/dist\/src\/infrastructure\/cli\.js"\]$/m);
    });
  }

  it("the systemd example runs node with the launcher's settings", () => {
    const text = read('examples/systemd/rat-memcached.service');
    expect(settings(text)).to.deep.equal(launcher);
    expect(text).to.match(/^ExecStart=\/usr\/bin\/node --v8-pool-size=\d+ \/opt\/rat-memcache\/dist\/src\/infrastructure\/cli\.js /m);
  });

  it('npm start and the package bin go through the launcher', () => {
    const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string>; scripts: Record<string, string>; files: string[] };
    expect(pkg.bin['rat-memcached']).to.equal('bin/rat-memcached');
    expect(pkg.scripts.start).to.equal('bin/rat-memcached');
    expect(pkg.files).to.include('bin');
  });
});
