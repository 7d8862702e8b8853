// Which of a store's keys name a user. A user key (src/runtime/user-key.ts) is a few parts
// joined by ':' that hold no brace and no glob character; a key names the user where the user
// key stands in it as whole parts: after the start, a ':' or a '{', and before the end, a ':'
// or a '}'. So `twilio:sms:+1555` is named by `parley:{twilio:sms:+1555}:s` and by
// `parley:t:bot:def:u:twilio:sms:+1555`, never by a key of `twilio:sms:+15551`.

/**
 * A test of whether a key names one of `users`. `scope`: only the keys of a scoped store
 * (scoped-store.ts names them `SCOPE/name`), where the user key stands in `name`.
 */
export function namesUser(users: readonly string[], scope?: string): (key: string) => boolean {
  if (users.length === 0) return () => false;
  const within = scope === undefined ? '' : `${escapeRegex(scope)}/(?:[^{}]*?:)?`;
  const pattern = new RegExp(`(?:^|[:{])${within}(?:${users.map(escapeRegex).join('|')})(?:[:}]|$)`);
  return (key) => pattern.test(key);
}

/** A Redis SCAN pattern every key naming one of `users` matches (SCAN narrows, `namesUser` decides). */
export function scanPattern(prefix: string, users: readonly string[]): string {
  return `${globEscape(prefix)}:*${globEscape(commonSuffix(users))}*`;
}

/** What all of `users` end with: the channel and the id, when they differ only in authority. */
function commonSuffix(users: readonly string[]): string {
  const [first = '', ...rest] = users;
  let length = first.length;
  for (const other of rest) {
    let same = 0;
    while (same < length && same < other.length && first[first.length - 1 - same] === other[other.length - 1 - same]) same++;
    length = same;
  }
  return first.slice(first.length - length);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
