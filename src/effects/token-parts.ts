// A token kept as JSON (an object at `tokenPath`, Botize's `auth_data_to_save`) reaches requests
// in more than one spelling: as itself in a header, escaped inside a JSON string in a body, and
// the secrets inside it may be read on their own. Everything that masks or refuses a token
// takes all of these.

/** Shorter strings inside a JSON token (an id, a flag) reveal nothing and would mask too much. */
const minLeafLength = 8;

/** The spellings of `token` that must be masked, and that a saved variable must not hold. */
export function tokenParts(token: string): string[] {
  const parts = new Set([token]);
  const escaped = JSON.stringify(token).slice(1, -1);
  if (escaped !== token) parts.add(escaped);
  if (token.startsWith('{') || token.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(token);
    } catch {
      return [...parts];
    }
    const stack: unknown[] = [parsed];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      if (typeof node === 'string' && node.length >= minLeafLength) parts.add(node);
      else if (typeof node === 'object' && node !== null) stack.push(...Object.values(node));
    }
  }
  return [...parts];
}
