// The pages a person sees at the end of a sign-in in their browser: plain HTML from Parley
// itself, no script, no outside assets, readable on a 360-pixel-wide phone. They say what
// happened and what to do next, and never hold the link's state, the provider's code or a token.
import type { CallbackOutcome } from '../runtime/link-callback.js';

export interface AuthPage {
  status: number;
  title: string;
  lines: string[];
  /** The 6-digit code to type in the chat, shown large. */
  code?: string;
  /** A button that posts to `action` (a URL relative to the page): a mailed link's page confirms only by it. */
  button?: { label: string; action: string };
}

export function pageFor(outcome: CallbackOutcome): AuthPage {
  switch (outcome.kind) {
    case 'signed-in':
      return outcome.code === undefined
        ? { status: 200, title: 'You are signed in', lines: ['You can close this page and go back to the chat: it carries on there.'] }
        : {
            status: 200,
            title: 'You are signed in',
            lines: ['To finish, type this code in the chat (or key it on your phone):', 'The code works once, in the conversation that sent you the link.'],
            code: outcome.code,
          };
    case 'unknown':
      return { status: 400, title: 'This sign-in link is not valid', lines: ['It may have been copied incompletely. Go back to the chat and ask for a new link by typing "again".'] };
    case 'used':
      return { status: 410, title: 'This sign-in link was already used', lines: ['Each link works once. If you are not signed in yet, go back to the chat and type "again" for a new link.'] };
    case 'expired':
      return { status: 410, title: 'This sign-in link has expired', lines: ['Go back to the chat and type "again" for a new link.'] };
    case 'provider-error':
      return { status: 400, title: 'Sign-in was not completed', lines: ['The sign-in page did not let you in, or you cancelled it. You can open the link from the chat again and retry.'] };
    case 'refused':
      return { status: 400, title: 'Sign-in was refused', lines: ['The service did not accept this sign-in. Go back to the chat and type "again" to try once more.'] };
    case 'unavailable':
      return { status: 502, title: 'Sign-in could not be completed', lines: ['The service could not be reached just now. Wait a minute, then go back to the chat and type "again".'] };
  }
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => escapes[c]!);

/** The whole page; its only style is inline, which the page's Content-Security-Policy allows and nothing else. */
export function renderPage(page: AuthPage, language = 'en'): string {
  // One glance tells a good end (a green tick) from a problem (an amber mark); a page that asks
  // for a press (a mailed link's) has neither.
  const tone = page.status >= 400 ? { color: '#b35c00', mark: '!' } : page.button === undefined ? { color: '#1a7f37', mark: '&#10003;' } : { color: '#0b5cad', mark: undefined };
  const code = page.code === undefined ? '' : `<p class="code" aria-label="Your code">${escape(page.code.replace(/^(\d{3})(\d{3})$/, '$1 $2'))}</p>`;
  const button = page.button === undefined ? '' : `<form method="post" action="${escape(page.button.action)}"><button type="submit">${escape(page.button.label)}</button></form>`;
  const [first, ...rest] = page.lines;
  return `<!doctype html>
<html lang="${escape(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light">
<title>${escape(page.title)}</title>
<style>
*{box-sizing:border-box}
body{margin:0;font:18px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#eef1f4;overflow-wrap:anywhere}
main{max-width:30rem;margin:1.5rem auto;padding:1.5rem 1.25rem;background:#fff;border:1px solid #d6dbe1;border-top:6px solid ${tone.color};border-radius:.75rem}
h1{display:flex;gap:.6rem;align-items:flex-start;font-size:1.4rem;line-height:1.3;margin:0 0 1rem}
.mark{flex:none;width:1.9rem;height:1.9rem;border-radius:50%;color:#fff;background:${tone.color};font-size:1.15rem;line-height:1.9rem;text-align:center}
.code{font:700 2.4rem/1.2 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.12em;font-variant-numeric:tabular-nums;background:#f6f8fa;border:2px solid #1b1f24;border-radius:.5rem;padding:.6rem;text-align:center;margin:1rem 0;user-select:all;-webkit-user-select:all}
p{margin:0 0 1rem}
p:last-child{margin-bottom:0}
@media (max-width:24rem){main{margin:0;border-radius:0;border-left:0;border-right:0;min-height:100vh}}
button{font:inherit;font-weight:700;width:100%;min-height:3rem;margin:.5rem 0 1.5rem;padding:.75rem 1rem;border:0;border-radius:.5rem;color:#fff;background:#0b5cad;cursor:pointer}
button:focus-visible{outline:3px solid #1b1f24;outline-offset:2px}
</style>
</head>
<body>
<main>
<h1>${tone.mark === undefined ? '' : `<span class="mark" aria-hidden="true">${tone.mark}</span>`}<span>${escape(page.title)}</span></h1>
${first === undefined ? '' : `<p>${escape(first)}</p>`}
${code}${button}
${rest.map((line) => `<p>${escape(line)}</p>`).join('\n')}
</main>
</body>
</html>
`;
}
