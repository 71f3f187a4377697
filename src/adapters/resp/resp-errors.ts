/**
 * Redis 7.0's error replies, word for word: the one place they are spelled.
 * Each includes its code (ERR, WRONGTYPE, NOAUTH...).
 */
export const RespError = {
  syntax: 'ERR syntax error',
  notInteger: 'ERR value is not an integer or out of range',
  notInt32: 'ERR value is out of range, value must between -2147483648 and 2147483647',
  overflow: 'ERR increment or decrement would overflow',
  decrementOverflow: 'ERR decrement would overflow',
  offsetRange: 'ERR offset is out of range',
  tooLarge: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  noAuth: 'NOAUTH Authentication required.',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  authWithoutPassword: 'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  helloNoAuth:
    'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
  noProto: 'NOPROTO unsupported protocol version',
  protocolVersion: 'ERR Protocol version is not an integer or out of range',
  dbRange: 'ERR DB index is out of range',
  invalidCursor: 'ERR invalid cursor',
  multiNested: 'ERR MULTI calls can not be nested',
  execWithoutMulti: 'ERR EXEC without MULTI',
  discardWithoutMulti: 'ERR DISCARD without MULTI',
  watchInMulti: 'ERR WATCH inside MULTI is not allowed',
  execAbort: 'EXECABORT Transaction discarded because of previous errors.',
  clientName: 'ERR Client names cannot contain spaces, newlines or special characters.',
  expireOptions: 'ERR NX and XX, GT or LT options at the same time are not compatible',
  expireGtLt: 'ERR GT and LT options at the same time are not compatible',
  internal: 'ERR internal error',
  arity: (fullName: string) => `ERR wrong number of arguments for '${fullName}' command`,
  expireTime: (fullName: string) => `ERR invalid expire time in '${fullName}' command`,
  unsupportedOption: (option: string) => `ERR Unsupported option ${option}`,
  helloOption: (option: string) => `ERR Syntax error in HELLO option '${option}'`,
  unknownSubcommand: (sub: string, command: string) => `ERR unknown subcommand '${sub}'. Try ${command} HELP.`,
  protocol: (what: string) => `ERR Protocol error: ${what}`,
} as const;
