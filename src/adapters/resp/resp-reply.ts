import type { ReplyWriter } from '../protocol/reply-writer.js';

/** Small replies every connection sends, as latin1 text. */
const OK = '+OK\r\n';
const NULL2 = '$-1\r\n';
const NULL_ARRAY2 = '*-1\r\n';
const NULL3 = '_\r\n';
const CRLF = '\r\n';
/** Bulk headers of short values, made once: a GET reply then allocates no string. */
const BULK_HEADERS = Array.from({ length: 1024 }, (_, n) => `$${n}\r\n`);

/**
 * Encodes RESP replies into the connection's ReplyWriter: RESP2 by default,
 * RESP3 after HELLO 3 (nulls, maps, sets and verbatim strings differ).
 * Values are appended as bytes, never converted to strings.
 */
export class RespReply {
  /** The protocol version the client chose (2 or 3). */
  resp = 2;

  constructor(private readonly writer: ReplyWriter) {}

  ok(): void {
    this.writer.text(OK);
  }

  /** A status reply (+text). */
  status(text: string): void {
    this.writer.text('+' + text + CRLF);
  }

  /** An error reply: `message` starts with its code (ERR, WRONGTYPE...); CR and LF become spaces as Redis does. */
  error(message: string): void {
    this.writer.text('-' + message.replace(/[\r\n]/g, ' ') + CRLF);
  }

  integer(n: number | bigint): void {
    this.writer.text(':' + n + CRLF);
  }

  bulk(value: Buffer): void {
    const n = value.length;
    this.writer.text(n < BULK_HEADERS.length ? BULK_HEADERS[n]! : '$' + n + CRLF);
    this.writer.data(value);
    this.writer.text(CRLF);
  }

  /** A bulk string from latin1 text. */
  bulkText(text: string): void {
    this.writer.text('$' + text.length + CRLF + text + CRLF);
  }

  /** The null bulk string (a missing value). */
  nil(): void {
    this.writer.text(this.resp === 3 ? NULL3 : NULL2);
  }

  /** The null array (an aborted transaction). */
  nilArray(): void {
    this.writer.text(this.resp === 3 ? NULL3 : NULL_ARRAY2);
  }

  array(length: number): void {
    this.writer.text('*' + length + CRLF);
  }

  /** A map of `pairs` entries (RESP2: an array of twice as many). */
  map(pairs: number): void {
    this.writer.text(this.resp === 3 ? '%' + pairs + CRLF : '*' + pairs * 2 + CRLF);
  }

  /** A set (RESP2: an array). */
  set(length: number): void {
    this.writer.text((this.resp === 3 ? '~' : '*') + length + CRLF);
  }

  /** Text for humans (INFO, CLIENT INFO): a verbatim string in RESP3, a bulk string in RESP2. */
  verbatim(text: string): void {
    if (this.resp === 3) this.writer.text('=' + (text.length + 4) + CRLF + 'txt:' + text + CRLF);
    else this.bulkText(text);
  }

  /** An array of latin1 strings as bulk strings. */
  bulkTexts(texts: readonly string[]): void {
    this.array(texts.length);
    for (const t of texts) this.bulkText(t);
  }
}
