// Patterns come from the bot file, which was checked at load time; each is compiled once.
const compiled = new Map<string, RegExp>();

export function regex(source: string): RegExp {
  let r = compiled.get(source);
  if (r === undefined) {
    r = new RegExp(source);
    compiled.set(source, r);
  }
  return r;
}
