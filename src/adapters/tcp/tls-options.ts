import { readFileSync } from 'node:fs';
import type tls from 'node:tls';
import { lazyBuiltin } from '../lazy-builtin.js';

const nodeTls = lazyBuiltin<typeof tls>('node:tls');

/** memcached's TLS settings (`-Z -o ssl_*`), as configured. */
export interface TlsSettings {
  /** PEM certificate chain (ssl_chain_cert). */
  chainCert: string;
  /** PEM private key (ssl_key); empty = the key is in the chain file. */
  key: string;
  /** PEM file of client CAs accepted (ssl_ca_cert); empty = none. */
  caCert: string;
  /** 0 none, 1 request, 2 require, 3 once (ssl_verify_mode). */
  verifyMode: number;
  /** 0 TLS 1.0, 1 TLS 1.1, 2 TLS 1.2, 3 TLS 1.3 (ssl_min_version). */
  minVersion: number;
  /** OpenSSL cipher list (ssl_ciphers); empty = Node's default. */
  ciphers: string;
}

/**
 * OpenSSL's SSL_VERIFY_* flags for each ssl_verify_mode, which memcached
 * prints in `stats settings`: NONE, PEER, PEER|FAIL_IF_NO_PEER_CERT, and
 * that plus CLIENT_ONCE.
 */
export const VERIFY_MODE_FLAGS = [0, 1, 3, 7] as const;

/** ssl_min_version's values: Node's names, and memcached's names for `stats settings`. */
const MIN_VERSIONS = [
  { node: 'TLSv1', text: 'tlsv1.0' },
  { node: 'TLSv1.1', text: 'tlsv1.1' },
  { node: 'TLSv1.2', text: 'tlsv1.2' },
  { node: 'TLSv1.3', text: 'tlsv1.3' },
] as const;

/** memcached's name for a ssl_min_version value, as `stats settings` prints it. */
export function minVersionText(minVersion: number): string {
  return MIN_VERSIONS[minVersion]?.text ?? 'unknown';
}

/** What the listener needs: Node's server options and how to treat client certificates. */
export interface TlsListenerOptions {
  secure: tls.TlsOptions;
  /**
   * ssl_verify_mode 1: a client certificate is asked for but not required;
   * one that is presented must verify (OpenSSL's SSL_VERIFY_PEER alone).
   */
  verifyPresentedOnly: boolean;
}

/**
 * Reads the certificate files and checks them the way memcached's ssl_init
 * does, failing with memcached's one-line messages, so a bad path or a key
 * that does not match stops start-up instead of failing every handshake.
 */
export function loadTlsOptions(s: TlsSettings): TlsListenerOptions {
  if (!Number.isInteger(s.verifyMode) || s.verifyMode < 0 || s.verifyMode >= VERIFY_MODE_FLAGS.length) {
    throw new Error('Invalid ssl_verify_mode. Use help to see valid options.');
  }
  const min = MIN_VERSIONS[s.minVersion];
  if (!Number.isInteger(s.minVersion) || min === undefined) throw new Error('Invalid ssl_min_version. Use help to see valid options.');
  if (!s.chainCert) throw new Error('Error loading the certificate chain: (null) : ssl_chain_cert is required with -Z / ssl_enabled');
  const cert = readPem(s.chainCert, 'Error loading the certificate chain');
  const keyFile = s.key || s.chainCert;
  const key = readPem(keyFile, 'Error loading the key');
  const secure: tls.TlsOptions = { cert, key, minVersion: min.node };
  if (s.ciphers) secure.ciphers = s.ciphers;
  try {
    nodeTls().createSecureContext(secure);
  } catch (err) {
    throw new Error(`Error validating the certificate: ${oneLine(err)}`, { cause: err });
  }
  if (s.caCert) {
    secure.ca = readPem(s.caCert, 'Error loading the CA certificate');
    try {
      nodeTls().createSecureContext(secure);
    } catch (err) {
      throw new Error(`Error loading the CA certificate: ${s.caCert} : ${oneLine(err)}`, { cause: err });
    }
  }
  secure.requestCert = s.verifyMode > 0;
  secure.rejectUnauthorized = s.verifyMode >= 2;
  return { secure, verifyPresentedOnly: s.verifyMode === 1 };
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`${what}: ${file} : ${oneLine(err)}`, { cause: err });
  }
}

function oneLine(err: unknown): string {
  return String((err as Error).message ?? err).replace(/\s*\n\s*/g, '; ');
}
