import { createReadStream, createWriteStream, readFileSync, statSync, unlinkSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { ConnectionOptions } from 'node:tls';
import type { ConnectOptions } from '../connection.js';
import { StreamingClient } from '../streaming-client.js';
import { TextClient } from '../text-client.js';
import { Exit, type CliOptions, type Command } from './args.js';
import { TransferProgress } from './progress.js';

/** A local file could not be read or written (Exit.FILE). */
export class FileError extends Error {}

/** The process's standard streams, passed in so that the commands stay testable. */
export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new FileError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

/** Connection settings from the command line; TLS files are read here. */
export function connectOptions(o: CliOptions): ConnectOptions {
  let secure: ConnectionOptions | undefined;
  if (o.tls) {
    secure = { rejectUnauthorized: !o.insecure };
    if (o.ca !== undefined) secure.ca = readPem(o.ca, 'CA certificate');
    if (o.cert !== undefined) secure.cert = readPem(o.cert, 'client certificate');
    if (o.key !== undefined) secure.key = readPem(o.key, 'client key');
    // An IP address cannot be sent as SNI; Node checks the certificate against it all the same.
    if (!/^[\d.]+$|:/.test(o.host)) secure.servername = o.host;
  }
  return { tls: secure, connectTimeoutMs: o.timeoutMs, replyTimeoutMs: o.timeoutMs };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(typeof part === 'string' ? Buffer.from(part) : part);
  return Buffer.concat(parts);
}

async function write(out: NodeJS.WritableStream, data: Uint8Array | string): Promise<void> {
  if (!out.write(data)) await once(out, 'drain');
}

function notFound(io: Io, key: string): number {
  io.stderr.write(`rat-memcache-cli: ${key}: not found\n`);
  return Exit.NOT_FOUND;
}

/** Runs one command; resolves to the exit code, throws what main() maps to one. */
export async function runCommand(cmd: Command, o: CliOptions, io: Io): Promise<number> {
  const connect = connectOptions(o);
  if (cmd.name === 'put') return put(cmd.file, cmd.key, o, connect, io);
  if (cmd.name === 'fetch') return fetch(cmd.key, cmd.file, o, connect, io);
  // Read stdin before connecting: a slow producer must not hold a server connection idle.
  const value = cmd.name === 'set' ? (cmd.value ?? (await readAll(io.stdin))) : undefined;
  const client = await TextClient.connect(o.port, o.host, connect);
  try {
    switch (cmd.name) {
      case 'get': {
        const got = await client.get(cmd.key);
        if (!got) return notFound(io, cmd.key);
        await write(io.stdout, got.value);
        return Exit.OK;
      }
      case 'set':
        await client.set(cmd.key, value!, { flags: o.flags, exptime: o.ttl });
        return Exit.OK;
      case 'delete':
        return (await client.delete(cmd.key)) ? Exit.OK : notFound(io, cmd.key);
      case 'stats':
        await write(io.stdout, (await client.stats(cmd.group)).map(([k, v]) => `${k} ${v}\n`).join(''));
        return Exit.OK;
      case 'flush':
        await client.flush(cmd.delay);
        return Exit.OK;
    }
  } finally {
    client.close();
  }
}

/** The file's bytes, with read errors reported as FileError. */
async function* fileChunks(file: string, chunkSize: number): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: chunkSize })) yield chunk as Buffer;
  } catch (err) {
    throw new FileError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

async function put(file: string, key: string, o: CliOptions, connect: ConnectOptions, io: Io): Promise<number> {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch (err) {
    throw new FileError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const client = await StreamingClient.connect(o.port, o.host, connect);
  const progress = new TransferProgress(`put ${key}`, io.stderr, o.quiet);
  try {
    progress.begin(size);
    await client.uploadFrom(key, size, fileChunks(file, o.chunkSize), {
      chunkSize: o.chunkSize,
      flags: o.flags,
      exptime: o.ttl,
      onProgress: (p) => progress.update(p.bytes),
    });
    progress.finish();
    return Exit.OK;
  } catch (err) {
    progress.abort();
    throw err;
  } finally {
    client.close();
  }
}

async function fetch(key: string, file: string, o: CliOptions, connect: ConnectOptions, io: Io): Promise<number> {
  const client = await StreamingClient.connect(o.port, o.host, connect);
  const progress = new TransferProgress(`fetch ${key}`, io.stderr, o.quiet);
  let hit = false;
  let created: WriteStream | undefined;
  // The file is created only on a hit, so a miss leaves nothing behind.
  const onBegin = (total: number): void => {
    hit = true;
    progress.begin(total);
    if (file !== '-') {
      created = createWriteStream(file);
      created.on('error', () => {}); // reported by the next write or the close
    }
  };
  try {
    for await (const chunk of client.streamGet(key, { chunkSize: o.chunkSize, onBegin, onProgress: (p) => progress.update(p.bytes) })) {
      if (created) await writeFile(created, chunk, file);
      else await write(io.stdout, chunk);
    }
    if (!hit) return notFound(io, key);
    if (created) await closeFile(created, file);
    progress.finish();
    return Exit.OK;
  } catch (err) {
    progress.abort();
    if (created) {
      created.destroy();
      try {
        unlinkSync(file); // no half-written file for a script to trust
      } catch {
        // it may not exist (open failed)
      }
    }
    throw err;
  } finally {
    client.close();
  }
}

/** Waits for a file stream event; the stream's error becomes a FileError. */
async function fileStep(created: WriteStream, event: string, file: string): Promise<void> {
  try {
    if (created.errored) throw created.errored;
    await once(created, event);
  } catch (err) {
    throw new FileError(`cannot write ${file}: ${(err as Error).message}`);
  }
}

async function writeFile(created: WriteStream, chunk: Buffer, file: string): Promise<void> {
  if (created.errored) await fileStep(created, 'drain', file);
  if (!created.write(chunk)) await fileStep(created, 'drain', file);
}

async function closeFile(created: WriteStream, file: string): Promise<void> {
  created.end();
  await fileStep(created, 'close', file);
}
