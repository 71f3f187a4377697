#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConnectionError, ReplyError } from '../connection.js';
import { Exit, parseCliArgs, USAGE, UsageError, type CliOptions } from './args.js';
import { FileError, runCommand } from './commands.js';

/**
 * rat-memcache-cli: a command-line client for scripts and operators. Every
 * outcome maps to one documented exit code and at most one line on stderr.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

function fail(code: number, message: string): number {
  process.stderr.write(`rat-memcache-cli: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  return code;
}

/** Node's socket and TLS error codes: all mean "no usable connection". */
function isConnectionFailure(err: NodeJS.ErrnoException): boolean {
  return (
    err instanceof ConnectionError ||
    /^(E[A-Z]+|ERR_TLS_\w+|ERR_SSL_\w+|ERR_SOCKET_\w+|CERT_\w+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_\w+|ERR_OSSL_\w+)$/.test(
      err.code ?? '',
    )
  );
}

/** The one place an error becomes an exit code and a message. */
function report(err: unknown, o: CliOptions): number {
  if (err instanceof FileError) return fail(Exit.FILE, err.message);
  if (err instanceof ReplyError) return fail(Exit.REFUSED, `server replied: ${err.reply}`);
  const e = err as NodeJS.ErrnoException;
  if (isConnectionFailure(e)) {
    // A TLS port closes a plain connection without a word: say what that usually means.
    const hint = !o.tls && e instanceof ConnectionError && e.message === 'connection closed' ? ' (a TLS port? try --tls)' : '';
    return fail(Exit.CONNECTION, `${o.tls ? 'TLS ' : ''}connection to ${o.host}:${o.port} failed: ${e.message}${hint}`);
  }
  return fail(70, `internal error: ${e.stack ?? String(err)}`);
}

async function main(argv: string[]): Promise<number> {
  let request;
  try {
    request = parseCliArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return fail(Exit.USAGE, `${err.message} (see rat-memcache-cli --help)`);
  }
  if (request.kind === 'help') {
    process.stdout.write(USAGE + '\n');
    return Exit.OK;
  }
  if (request.kind === 'version') {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    process.stdout.write(`rat-memcache-cli ${pkg.version}\n`);
    return Exit.OK;
  }
  try {
    return await runCommand(request.command, request.options, process);
  } catch (err) {
    return report(err, request.options);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // exitCode rather than exit(): a value piped to stdout is flushed first.
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`rat-memcache-cli: internal error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 70;
  },
);
