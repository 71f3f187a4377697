import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Certificate files made for one test run; the private keys never leave the temporary directory. */
export interface TestCerts {
  dir: string;
  /** The test CA that signed the server and client certificates. */
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** A client certificate signed by the test CA. */
  clientCert: string;
  clientKey: string;
  /** A self-signed client certificate no CA vouches for. */
  rogueCert: string;
  rogueKey: string;
  /** Contents, for Node's tls options. */
  pem(file: string): Buffer;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('openssl is not installed (Debian package openssl; .ci/run installs it)', { cause: err });
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString().trim() ?? e.message}`, { cause: err });
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Generates a CA, a server certificate for 127.0.0.1/localhost and two
 * client certificates with the system's `openssl`, in a fresh temporary
 * directory (nothing secret is committed to the repository).
 */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(path.join(tmpdir(), 'rat-tls-'));
  openssl(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=rat-memcache test CA'], dir);
  const signed = (name: string, cn: string, ext: string): void => {
    writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
      ],
      dir,
    );
  };
  signed('server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  signed('client', 'rat-test-client', 'extendedKeyUsage=clientAuth\n');
  openssl(['req', '-x509', ...EC, '-keyout', 'rogue.key', '-out', 'rogue.pem', '-days', '2', '-subj', '/CN=rogue client'], dir);
  const f = (name: string): string => path.join(dir, name);
  return {
    dir,
    caCert: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
    rogueCert: f('rogue.pem'),
    rogueKey: f('rogue.key'),
    pem: (file) => readFileSync(file),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
