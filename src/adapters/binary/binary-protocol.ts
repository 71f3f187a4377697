/**
 * Wire constants of memcached's binary protocol (see
 * shared/specs/memcached-protocol-binary.txt) and the error texts memcached
 * 1.6 puts in the body of an error response, byte for byte.
 */

/** Request magic; a connection whose first byte is this speaks binary. */
export const REQUEST_MAGIC = 0x80;
/** Response magic. */
export const RESPONSE_MAGIC = 0x81;
/** Fixed header size of requests and responses. */
export const HEADER_LENGTH = 24;

/** Opcodes memcached 1.6 serves (plus the ones it answers "Unknown command" to, for naming); each is the one before plus 1 unless given. */
export const enum Op {
  Get = 0x00,
  Set, // 0x01
  Add, // 0x02
  Replace, // 0x03
  Delete, // 0x04
  Increment, // 0x05
  Decrement, // 0x06
  Quit, // 0x07
  Flush, // 0x08
  GetQ, // 0x09
  Noop, // 0x0a
  Version, // 0x0b
  GetK, // 0x0c
  GetKQ, // 0x0d
  Append, // 0x0e
  Prepend, // 0x0f
  Stat, // 0x10
  SetQ, // 0x11
  AddQ, // 0x12
  ReplaceQ, // 0x13
  DeleteQ, // 0x14
  IncrementQ, // 0x15
  DecrementQ, // 0x16
  QuitQ, // 0x17
  FlushQ, // 0x18
  AppendQ, // 0x19
  PrependQ, // 0x1a
  Verbosity, // 0x1b
  Touch, // 0x1c
  GAT, // 0x1d
  GATQ, // 0x1e
  SaslListMechs = 0x20,
  SaslAuth, // 0x21
  SaslStep, // 0x22
  GATK, // 0x23
  GATKQ, // 0x24
}

/** Response status codes. */
export const enum Status {
  Ok = 0x00,
  KeyNotFound = 0x01,
  KeyExists = 0x02,
  TooLarge = 0x03,
  InvalidArguments = 0x04,
  NotStored = 0x05,
  NonNumeric = 0x06,
  AuthError = 0x20,
  AuthContinue = 0x21,
  UnknownCommand = 0x81,
  OutOfMemory = 0x82,
}

/** memcached's write_bin_error texts (proto_bin.c), sent as the error body. */
export const ErrorText = {
  [Status.KeyNotFound]: 'Not found',
  [Status.KeyExists]: 'Data exists for key.',
  [Status.TooLarge]: 'Too large.',
  [Status.InvalidArguments]: 'Invalid arguments',
  [Status.NotStored]: 'Not stored.',
  [Status.NonNumeric]: 'Non-numeric server-side value for incr or decr',
  [Status.AuthError]: 'Auth failure.',
  [Status.UnknownCommand]: 'Unknown command',
  [Status.OutOfMemory]: 'Out of memory',
} as const;

/** memcached's MAX_SASL_MECH_LEN. */
export const MAX_SASL_MECH_LENGTH = 32;

/** Incr/decr expiration that means "do not create a missing counter". */
export const NO_AUTO_CREATE = 0xffff_ffff;

/**
 * Quiet opcodes and the loud opcode each behaves as. Quiet commands stay
 * silent on success (and gets on a miss); errors are always answered.
 */
const QUIET_TO_LOUD: ReadonlyMap<number, number> = new Map([
  [Op.GetQ, Op.Get],
  [Op.GetKQ, Op.GetK],
  [Op.SetQ, Op.Set],
  [Op.AddQ, Op.Add],
  [Op.ReplaceQ, Op.Replace],
  [Op.DeleteQ, Op.Delete],
  [Op.IncrementQ, Op.Increment],
  [Op.DecrementQ, Op.Decrement],
  [Op.QuitQ, Op.Quit],
  [Op.FlushQ, Op.Flush],
  [Op.AppendQ, Op.Append],
  [Op.PrependQ, Op.Prepend],
  [Op.GATQ, Op.GAT],
  [Op.GATKQ, Op.GATK],
]);

/** The loud opcode a quiet one stands for, or undefined for a loud opcode. */
export function loudOpcode(op: number): number | undefined {
  return QUIET_TO_LOUD.get(op);
}
