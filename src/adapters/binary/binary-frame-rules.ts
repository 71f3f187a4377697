import { Op } from './binary-protocol.js';

/** What a request header's lengths say about the frame. */
export const enum Shape {
  Ok,
  /** The opcode is known but its lengths are not allowed: Invalid arguments, then close. */
  Invalid,
  /** Not an opcode we serve: Unknown command, and the frame is skipped. */
  Unknown,
}

/**
 * The lengths each opcode accepts, from memcached's dispatch_bin_command.
 * Stat and touch/GAT also insist that the body holds nothing beyond extras and
 * key: memcached would read the excess as the next header.
 */
export function checkShape(cmd: number, keylen: number, extlen: number, bodylen: number): Shape {
  switch (cmd) {
    case Op.Version:
    case Op.Noop:
    case Op.Quit:
    case Op.SaslListMechs:
      return shape(extlen === 0 && keylen === 0 && bodylen === 0);
    case Op.Flush:
      return shape(keylen === 0 && bodylen === extlen && (extlen === 0 || extlen === 4));
    case Op.Set:
    case Op.Add:
    case Op.Replace:
      return shape(extlen === 8 && keylen !== 0 && bodylen >= keylen + 8);
    case Op.Get:
    case Op.GetK:
    case Op.Delete:
      return shape(extlen === 0 && keylen > 0 && bodylen === keylen);
    case Op.Increment:
    case Op.Decrement:
      return shape(keylen > 0 && extlen === 20 && bodylen === keylen + 20);
    case Op.Append:
    case Op.Prepend:
      return shape(keylen > 0 && extlen === 0);
    case Op.Stat:
      return shape(extlen === 0 && bodylen === keylen);
    case Op.SaslAuth:
    case Op.SaslStep:
      return shape(extlen === 0 && keylen !== 0);
    case Op.Touch:
    case Op.GAT:
    case Op.GATK:
      return shape(extlen === 4 && keylen !== 0 && bodylen === keylen + 4);
    default:
      return Shape.Unknown;
  }
}

function shape(valid: boolean): Shape {
  return valid ? Shape.Ok : Shape.Invalid;
}

/** Commands memcached answers before authentication. */
export function isAuthExempt(op: number): boolean {
  return op === Op.SaslListMechs || op === Op.SaslAuth || op === Op.SaslStep || op === Op.Version;
}

/** The SASL commands, which only exist when SASL is on. */
export function isSasl(cmd: number): boolean {
  return cmd === Op.SaslListMechs || cmd === Op.SaslAuth || cmd === Op.SaslStep;
}

/** A stat request's key as the stats use-case's group and argument. */
export interface StatRequest {
  group: string;
  arg?: string;
}

/**
 * memcached's process_bin_stat matching: reset, settings and detail by
 * prefix, detail's argument after a space, every other group exactly.
 */
export function statRequest(key: string): StatRequest {
  if (key.startsWith('reset')) return { group: 'reset' };
  if (key.startsWith('settings')) return { group: 'settings' };
  if (key.startsWith('detail')) {
    const sub = key.slice(6);
    const arg = sub.startsWith(' dump') ? 'dump' : sub.startsWith(' on') ? 'on' : sub.startsWith(' off') ? 'off' : undefined;
    return { group: 'detail', arg };
  }
  return { group: key };
}
