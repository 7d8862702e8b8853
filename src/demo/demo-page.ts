// The demo services' sign-in page: a plain form, no script, which the demo OAuth provider and
// the demo Botize service both show. It says plainly that it is a demo.
import type { ServerResponse } from 'node:http';

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => escapes[c]!);

export interface DemoLoginPage {
  title: string;
  /** Where the form posts. */
  action: string;
  /** Carried through the form unchanged. */
  hidden: Record<string, string>;
  /** Said above the form when the last try failed. */
  problem?: string;
  /** The username of the last try, filled in again. */
  username?: string;
  /** Offer a "Cancel" button (the form posts `cancel=1`). */
  cancel?: boolean;
}

export function sendLoginPage(res: ServerResponse, page: DemoLoginPage, status = 200): void {
  const hidden = Object.entries(page.hidden)
    .map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`)
    .join('\n');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(page.title)}</title>
<style>
*{box-sizing:border-box}
body{margin:0;font:18px/1.5 system-ui,sans-serif;color:#1b1f24;background:#e9eef5}
main{max-width:24rem;margin:1.5rem auto;padding:1.5rem 1.25rem;background:#fff;border-radius:.75rem;border:1px solid #cdd5df}
h1{font-size:1.35rem;margin:0 0 .5rem}
.demo{font-size:.9rem;background:#fff4ce;border-radius:.4rem;padding:.5rem .75rem;margin:0 0 1rem}
.problem{color:#a40e26;font-weight:600}
label{display:block;margin:0 0 .9rem}
input[type=text],input[type=password]{display:block;width:100%;font:inherit;padding:.5rem .6rem;margin-top:.25rem;border:1px solid #8c959f;border-radius:.4rem}
button{font:inherit;padding:.55rem 1.1rem;border-radius:.4rem;border:1px solid #0b5cad;background:#0b5cad;color:#fff}
button.secondary{background:#fff;color:#0b5cad;margin-left:.5rem}
</style>
</head>
<body>
<main>
<h1>${escape(page.title)}</h1>
<p class="demo">Parley's demo sign-in page, not a real service. Sign in as <b>ada</b> / <b>lovelace</b> (or alan / turing).</p>
${page.problem === undefined ? '' : `<p class="problem" role="alert">${escape(page.problem)}</p>`}
<form method="post" action="${escape(page.action)}">
${hidden}
<label>Username<input type="text" name="username" autocomplete="username" autocapitalize="none" required${page.username === undefined ? '' : ` value="${escape(page.username)}"`}></label>
<label>Password<input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>${page.cancel === true ? '<button type="submit" class="secondary" name="cancel" value="1" formnovalidate>Cancel</button>' : ''}
</form>
</main>
</body>
</html>
`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" }).end(html);
}

/** A page saying what is wrong with the request itself (no form: nothing to retry here). */
export function sendProblemPage(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(`${text}\n`);
}
