// TwiML is XML 1.0, which cannot hold most control characters: the TwiML builder throws on
// them. What users type (and so what a bot echoes) may hold any, so text put into TwiML
// leaves them out: the rest of the message still goes out.
const notXml = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` without the characters XML 1.0 cannot hold (control characters, lone surrogates). */
export function xmlText(text: string): string {
  return text.replace(notXml, '');
}
