import type { ArgList } from '../arg-list.js';
import type { RespContext } from './command.js';

/**
 * Redis 7.0's unknown-command error: the name (first 128 bytes, up to a
 * NUL), then the arguments quoted while the list is under 128 bytes.
 */
export function unknownCommand(cx: RespContext, a: ArgList): void {
  let args = '';
  for (let i = 1; i < a.count && args.length < 128; i++) args += `'${a.cString(i, 128 - args.length)}' `;
  cx.reply.error(`ERR unknown command '${a.cString(0, 128)}', with args beginning with: ${args}`);
}
