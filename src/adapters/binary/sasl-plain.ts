/** The only SASL mechanism offered (RFC 4616). */
export const SASL_MECHANISMS = 'PLAIN';

/** Checks one user's password; implemented from configuration by the composition root. */
export type Authenticate = (user: string, password: string) => boolean;

/** What a PLAIN initial response carries. */
export interface PlainCredentials {
  authzid: string;
  user: string;
  password: string;
}

/**
 * Splits a PLAIN message `[authzid] NUL authcid NUL passwd` (RFC 4616).
 * Returns undefined when it is malformed. Strings are UTF-8 as the RFC says.
 */
export function parsePlain(message: Buffer): PlainCredentials | undefined {
  const first = message.indexOf(0);
  if (first < 0) return undefined;
  const second = message.indexOf(0, first + 1);
  if (second < 0 || message.indexOf(0, second + 1) >= 0) return undefined;
  return {
    authzid: message.toString('utf8', 0, first),
    user: message.toString('utf8', first + 1, second),
    password: message.toString('utf8', second + 1),
  };
}

/**
 * Verifies a PLAIN message. Like Cyrus SASL (which memcached uses), an
 * authorization identity other than the authenticated user is refused: we
 * have no proxy-authorization policy.
 */
export function verifyPlain(message: Buffer, authenticate: Authenticate): boolean {
  const c = parsePlain(message);
  if (c === undefined || c.user.length === 0) return false;
  if (c.authzid.length > 0 && c.authzid !== c.user) return false;
  return authenticate(c.user, c.password);
}
