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
  const code = page.code === undefined ? '' : `<p class="code" aria-label="Your code">${escape(page.code.replace(/^(\d{3})(\d{3})$/, '$1 $2'))}</p>`;
  const [first, ...rest] = page.lines;
  return `<!doctype html>
<html lang="${escape(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escape(page.title)}</title>
<style>
body{margin:0;font:18px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f4f6f8}
main{max-width:32rem;margin:0 auto;padding:2rem 1.25rem}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}
.code{font:700 2.5rem/1.2 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.15em;background:#fff;border:2px solid #1b1f24;border-radius:.5rem;padding:.75rem;text-align:center;margin:1rem 0}
p{margin:0 0 1rem}
</style>
</head>
<body>
<main>
<h1>${escape(page.title)}</h1>
${first === undefined ? '' : `<p>${escape(first)}</p>`}
${code}
${rest.map((line) => `<p>${escape(line)}</p>`).join('\n')}
</main>
</body>
</html>
`;
}
