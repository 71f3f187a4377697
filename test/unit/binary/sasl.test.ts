import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authfileAuthenticator, credentialsAuthenticator } from '../../../src/adapters/binary/sasl-credentials.js';
import { parsePlain, verifyPlain } from '../../../src/adapters/binary/sasl-plain.js';

describe('SASL PLAIN', () => {
  it('parses authzid, user and password (UTF-8) and refuses messages without exactly two NULs', () => {
    expect(parsePlain(Buffer.from('\0alice\0pässword'))).to.deep.equal({ authzid: '', user: 'alice', password: 'pässword' });
    expect(parsePlain(Buffer.from('admin\0alice\0pw'))).to.deep.equal({ authzid: 'admin', user: 'alice', password: 'pw' });
    expect(parsePlain(Buffer.from('alice\0pw'))).to.equal(undefined);
    expect(parsePlain(Buffer.from('a\0b\0c\0d'))).to.equal(undefined);
    expect(parsePlain(Buffer.alloc(0))).to.equal(undefined);
  });

  it('verifies through the authenticator; an empty user or a foreign authzid fails', () => {
    const auth = credentialsAuthenticator(['alice:pw']);
    expect(verifyPlain(Buffer.from('\0alice\0pw'), auth)).to.equal(true);
    expect(verifyPlain(Buffer.from('alice\0alice\0pw'), auth)).to.equal(true);
    expect(verifyPlain(Buffer.from('bob\0alice\0pw'), auth)).to.equal(false);
    expect(verifyPlain(Buffer.from('\0alice\0PW'), auth)).to.equal(false);
    expect(verifyPlain(Buffer.from('\0\0pw'), credentialsAuthenticator([':pw', 'x:y'].slice(1)))).to.equal(false);
  });

  it('credentials: password is everything after the first colon; comments and blank lines are skipped', () => {
    const auth = credentialsAuthenticator(['# users', '', 'alice:a:b:c', 'bob:\r']);
    expect(auth('alice', 'a:b:c')).to.equal(true);
    expect(auth('alice', 'a')).to.equal(false);
    expect(auth('bob', '')).to.equal(true);
    expect(auth('carol', '')).to.equal(false);
  });

  it('a malformed entry is refused without echoing it (it may hold a password)', () => {
    expect(() => credentialsAuthenticator(['no-colon-secret']))
      .to.throw(/expected user:password/)
      .that.satisfies((e: Error) => !e.message.includes('secret'));
  });

  it('reads an authfile (memcached -Y format) and names a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rat-sasl-'));
    try {
      const file = join(dir, 'auth');
      writeFileSync(file, 'alice:pw\nbob:other\n');
      const auth = authfileAuthenticator(file);
      expect(auth('alice', 'pw')).to.equal(true);
      expect(auth('bob', 'other')).to.equal(true);
      expect(auth('bob', 'pw')).to.equal(false);
      expect(() => authfileAuthenticator(join(dir, 'missing'))).to.throw(/cannot read SASL authfile .*missing: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
