import type { RespCommand } from './commands/command.js';
import { connectionCommands } from './commands/connection-commands.js';
import { keyspaceCommands } from './commands/keyspace-commands.js';
import { serverCommands } from './commands/server-commands.js';
import { stringCommands } from './commands/string-commands.js';
import { structureCommands } from './commands/structure-commands.js';
import { transactionCommands } from './commands/transaction-commands.js';

/** Every command the RESP listener knows, by lower-case name; built once. */
export const commandTable: ReadonlyMap<string, RespCommand> = new Map(
  [...stringCommands, ...keyspaceCommands, ...connectionCommands, ...transactionCommands, ...serverCommands, ...structureCommands].map((c) => [c.name, c]),
);
