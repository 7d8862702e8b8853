// `parley chat` with the sign-in-by-link examples, as an author runs it: the real executable
// as a child process with --demo-services. It prints the link; the test then does what the
// author's browser would (the demo provider's form, Parley's callback and page, served by
// chat itself on a local port), and types the code on standard input.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { backToParley, codeIn } from '../support/link-flow.js';

const root = join(import.meta.dirname, '..', '..');

interface Chat {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Waits until standard output matches `pattern`, and gives the match. */
  waitFor(pattern: RegExp, withinMs?: number): Promise<RegExpMatchArray>;
  type(line: string): void;
  /** Ends standard input and waits for the exit code. */
  end(): Promise<number | null>;
}

function chat(args: string[], env: NodeJS.ProcessEnv = {}): Chat {
  const child = spawn(process.execPath, [join(root, 'bin', 'parley.js'), 'chat', ...args], { cwd: root, env: { ...process.env, REDIS_URL: '', PUBLIC_URL: '', PORT: '', ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onTestFinished(() => {
    if (child.exitCode === null) child.kill();
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async waitFor(pattern, withinMs = 20_000) {
      const until = Date.now() + withinMs;
      for (;;) {
        const found = pattern.exec(out);
        if (found !== null) return found;
        if (Date.now() > until || child.exitCode !== null) throw new Error(`not seen: ${pattern}\nstdout:\n${out}\nstderr:\n${err}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    type: (line) => void child.stdin.write(`${line}\n`),
    async end() {
      child.stdin.end();
      return exited;
    },
  };
}

/** What a browser does on a demo sign-in page: fill in the form it shows and submit it; the address it is sent to. */
async function signInOnDemoPage(link: string, username: string, password: string): Promise<string> {
  const page = await fetch(link);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('not a real service');
  expect(html).not.toMatch(/<script/i);
  const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
  const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]));
  const answer = await fetch(new URL(action, link), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...hidden, username, password }).toString(),
  });
  if (answer.status !== 303) throw new Error(`the demo page answered ${answer.status}: ${await answer.text()}`);
  return answer.headers.get('location')!;
}

describe('parley chat with a bot that signs in by link', { timeout: 60_000 }, () => {
  it.each([
    ['scripts/oauth-demo.json', 'Please sign in to ACME Bank here: ', /\/oauth\/authorize\?/],
    ['scripts/web-sign-in.json', 'Sign in on the ACME Bank page, then come back here: ', /\/botize\/login\?session=/],
  ])('%s: prints the link, serves Parley’s page on a local port, and takes the code typed', async (bot, linkText, linkPath) => {
    const session = chat([bot, '--demo-services']);
    session.type('hi');
    const link = (await session.waitFor(/^.*(http:\/\/127\.0\.0\.1:4010\/\S+)$/m))[1]!;
    // The next line may come in a later chunk of output than the link's.
    await session.waitFor(/6-digit code the page shows you\.\n/);
    expect(session.stdout()).toBe(`Welcome to ACME Bank.\n${linkText}${link}\nOnce you have signed in, type here the 6-digit code the page shows you.\n`);
    expect(link).toMatch(linkPath);
    const pages = /^sign-in pages at (http:\/\/127\.0\.0\.1:\d+)\/auth\/callback/m.exec(session.stderr())?.[1];
    expect(pages).toBeDefined();

    // A wrong password shows the form again; the right one sends the browser to chat's own callback.
    await expect(signInOnDemoPage(link, 'ada', 'wrong')).rejects.toThrow(/answered 401/);
    const callback = await signInOnDemoPage(link, 'ada', 'lovelace');
    expect(callback.startsWith(`${pages}/auth/callback?`)).toBe(true);
    const page = await backToParley({ url: pages! }, callback);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${pages}/auth/done`);
    const code = codeIn(page.text)!;
    expect(code).toMatch(/^\d{6}$/);

    session.type(code);
    await session.waitFor(/balance is/);
    session.type('logout');
    await session.waitFor(/You are signed out\./);
    expect(await session.end()).toBe(0);
    expect(session.stdout().split('\n').slice(3)).toEqual(['Hi Ada Lovelace, your balance is 1234.56 USD.', 'You are signed out.', '']);
    // The author sees the calls, with the token and the provider's code masked.
    expect(session.stderr()).not.toContain(code);
    expect(session.stderr()).not.toMatch(/demo_[0-9a-f]{24}/);
  });

  it('with verifyCode false, goes on in the console by itself once the page is passed', async () => {
    const source = JSON.parse(await readFile(join(root, 'scripts', 'web-sign-in.json'), 'utf8')) as { authTokens: Record<string, Record<string, unknown>> };
    source.authTokens['acme-web']!.verifyCode = false;
    const path = join(await mkdtemp(join(tmpdir(), 'parley-link-')), 'no-code.bot.json');
    await writeFile(path, JSON.stringify({ ...source, $schema: undefined }));
    const session = chat([path, '--demo-services', '--quiet'], { PORT: '0' });
    session.type('hi');
    const link = (await session.waitFor(/(http:\/\/127\.0\.0\.1:4010\/\S+)$/m))[1]!;
    await session.waitFor(/we will carry on here\.\n/);
    const callback = await signInOnDemoPage(link, 'alan', 'turing');
    const page = await backToParley({ url: new URL(callback).origin }, callback);
    expect(page.status).toBe(200);
    expect(codeIn(page.text)).toBeUndefined();
    // Nothing typed: the console shows the rest of the conversation on its own.
    await session.waitFor(/Hi Alan Turing, your balance is 42\.00 USD\./);
    expect(await session.end()).toBe(0);
  });

  it('on the phone, prints the link as a text message and reads the code from the keypad', async () => {
    const session = chat(['scripts/web-sign-in.json', '--channel', 'phone', '--demo-services', '--quiet']);
    const link = (await session.waitFor(/^\(text message\) Sign in on the ACME Bank page, then come back here: (http:\/\/\S+)$/m))[1]!;
    await session.waitFor(/I have sent you a text message with a link to sign in\./);
    const callback = await signInOnDemoPage(link, 'ada', 'lovelace');
    const page = await backToParley({ url: new URL(callback).origin }, callback);
    session.type(codeIn(page.text)!);
    await session.waitFor(/your balance is 1234\.56 USD\./);
    expect(await session.end()).toBe(0);
  });

  it('serves the pages at PUBLIC_URL’s port when it names this machine, and says when that port is taken', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    await new Promise<void>((resolve) => blocker.close(() => resolve()));

    // Free: the link sends the browser back to PUBLIC_URL, and the pages answer there.
    const session = chat(['scripts/oauth-demo.json', '--demo-services'], { PUBLIC_URL: `http://localhost:${port}` });
    session.type('hi');
    const link = new URL((await session.waitFor(/(http:\/\/127\.0\.0\.1:4010\/\S+)$/m))[1]!);
    expect(link.searchParams.get('redirect_uri')).toBe(`http://localhost:${port}/auth/callback`);
    expect(session.stderr()).toContain(`sign-in pages at http://localhost:${port}/auth/callback`);
    expect((await fetch(`http://127.0.0.1:${port}/auth/done`)).status).toBe(404);
    expect(await session.end()).toBe(0);

    // Taken: a plain error, exit 1.
    const taker = createServer();
    await new Promise<void>((resolve) => taker.listen(port, '127.0.0.1', () => resolve()));
    onTestFinished(() => new Promise<void>((resolve) => taker.close(() => resolve())));
    const refused = chat(['scripts/oauth-demo.json', '--demo-services'], { PUBLIC_URL: `http://localhost:${port}` });
    expect(await refused.end()).toBe(1);
    expect(refused.stderr()).toBe(`error: port ${port} is in use, so the sign-in pages cannot be served: set PORT (or PUBLIC_URL) to a free one\n`);
  });
});
