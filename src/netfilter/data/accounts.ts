/**
 * The users and groups of a Debian 12 base system (/etc/passwd, /etc/group), for
 * getpwnam / getgrnam in `-m owner --uid-owner/--gid-owner`; a host's own names come
 * through IptEnv and take precedence.
 * @module
 */

/** /etc/passwd: name -> uid. */
export const DEFAULT_USERS: Record<string, number> = {
  root: 0,
  daemon: 1,
  bin: 2,
  sys: 3,
  sync: 4,
  games: 5,
  man: 6,
  lp: 7,
  mail: 8,
  news: 9,
  uucp: 10,
  proxy: 13,
  "www-data": 33,
  backup: 34,
  list: 38,
  irc: 39,
  _apt: 42,
  nobody: 65534,
};
/** /etc/group: name -> gid. */
export const DEFAULT_GROUPS: Record<string, number> = {
  root: 0,
  daemon: 1,
  bin: 2,
  sys: 3,
  adm: 4,
  tty: 5,
  disk: 6,
  lp: 7,
  mail: 8,
  news: 9,
  uucp: 10,
  man: 12,
  proxy: 13,
  kmem: 15,
  dialout: 20,
  cdrom: 24,
  sudo: 27,
  audio: 29,
  "www-data": 33,
  backup: 34,
  operator: 37,
  list: 38,
  irc: 39,
  staff: 50,
  games: 60,
  users: 100,
  nogroup: 65534,
};
