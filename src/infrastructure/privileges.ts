import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';

/** The account `-u USER` names. */
export interface Account {
  name: string;
  uid: number;
  gid: number;
}

/**
 * What `-u USER` will do, decided before anything is opened: switch to the
 * account (started as root), nothing (already that user), or refuse with a
 * one-line reason. Node has no getpwnam, so the account comes from
 * /etc/passwd, as on every system memcached's -u is used on.
 */
export function planUserSwitch(name: string, passwd = '/etc/passwd'): { switchTo?: Account; error?: string } {
  if (typeof process.setuid !== 'function' || typeof process.getuid !== 'function') {
    return { error: `-u ${name}: switching users is not supported on ${process.platform} (run the service under that account instead)` };
  }
  if (process.getuid() !== 0) {
    if (userInfo().username === name) return {};
    return { error: `-u ${name}: switching users needs root; running as ${userInfo().username} (uid ${process.getuid()})` };
  }
  const account = findAccount(name, passwd);
  if (!account) return { error: `can't find the user ${name} to switch to` };
  return { switchTo: account };
}

function findAccount(name: string, passwd: string): Account | undefined {
  let text: string;
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 4) return { name, uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

/** Drops to the account: supplementary groups, then group, then user (the order that cannot be undone). */
export function switchUser(account: Account): void {
  (process as unknown as { initgroups(user: string, group: number): void }).initgroups(account.name, account.gid);
  process.setgid!(account.gid);
  process.setuid!(account.uid);
}
