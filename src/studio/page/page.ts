// The studio page: one HTML answer holding its style, its script, the flow and the first
// snapshot, so it shows at once and needs nothing from outside (it runs offline). The
// accessible names are the spec's (shared/spec/server.md, "The studio page"): outside checks
// find the page's parts by them.
import { channelIds } from '../../runtime/turn.js';
import type { Snapshot } from '../state.js';
import { channelNames } from '../workbench.js';
import { clientScript } from './client.js';
import { styles } from './styles.js';

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => escapes[c]!);

/** JSON inside a <script> element: nothing in it can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function studioPage(snapshot: Snapshot, flowSvg: string, nonce: string): string {
  const channels = channelIds.map((id) => `<option value="${id}"${id === snapshot.channel ? ' selected' : ''}>${escape(channelNames[id])}</option>`).join('');
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'].map((key) => `<button type="button" data-key="${key}">${key}</button>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Parley Studio · ${escape(snapshot.bot?.name ?? 'no bot')}</title>
<link rel="icon" href="data:,">
<style nonce="${nonce}">${styles}</style>
</head>
<body>
<header class="top">
  <h1><span class="brand">Parley Studio</span> <span class="bot" id="bot-name">${escape(snapshot.bot?.name ?? '')}</span> <code id="bot-file">${escape(snapshot.bot?.file ?? '')}</code></h1>
  <div class="controls">
    <label for="channel">Channel</label>
    <select id="channel">${channels}</select>
    <span id="services-box" hidden><label for="services">Services</label> <select id="services"></select></span>
    <button type="button" id="restart" title="Start the conversation again, as the same user">New conversation</button>
    <button type="button" id="new-user" title="Start again as a user who has never signed in">New user</button>
  </div>
</header>
<p id="banner" class="banner" role="status" hidden></p>
<ul id="notes" class="banner note" hidden></ul>
<noscript><p class="banner">The studio needs JavaScript to run the conversation.</p></noscript>
<main>
  <section class="panel chat" aria-labelledby="chat-title">
    <div class="head"><h2 id="chat-title">Conversation</h2><span class="sub" id="who"></span></div>
    <div id="transcript" role="log" aria-live="polite" aria-label="Transcript"></div>
    <div id="choices" role="group" aria-label="Choices"></div>
    <form id="composer" autocomplete="off">
      <input id="message" type="text" aria-label="Message" aria-describedby="hint" autocomplete="off" autocapitalize="off" spellcheck="false" enterkeyhint="send">
      <button type="submit">Send</button>
    </form>
    <p id="hint" class="hint">Enter sends.</p>
    <div id="keypad" role="group" aria-label="Keypad" hidden>${keys}</div>
  </section>
  <section class="panel flow-panel" aria-labelledby="flow-title">
    <div class="head"><h2 id="flow-title">Flow</h2><span class="where" id="where"></span><span class="tools"><button type="button" id="fit" aria-pressed="false" title="Fit the flow to the panel's width">Fit</button></span></div>
    <div id="flow" data-version="${snapshot.bot?.version ?? 0}">${flowSvg}</div>
    <section id="source" aria-labelledby="source-title" hidden>
      <div class="head"><h3 id="source-title"></h3><span class="tools"><a id="open-editor" hidden>Open in VS Code</a><button type="button" id="source-close">Close</button></span></div>
      <pre id="source-lines"></pre>
    </section>
  </section>
  <section class="panel state" aria-label="State">
    <h3 id="problems-title">Problems <span id="problem-count"></span></h3>
    <ul id="problems" aria-label="Problems"></ul>
    <p class="empty" id="no-problems">None: the file loads cleanly.</p>
    <table id="variables"><caption>Variables</caption><thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead><tbody id="variables-body"></tbody></table>
    <p class="empty" id="no-variables">None yet.</p>
    <h3>Sign-in</h3>
    <div id="sign-in"></div>
    <table id="calls"><caption>Calls</caption><thead><tr><th scope="col">At</th><th scope="col">Call</th><th scope="col">Status</th><th scope="col">Took</th></tr></thead><tbody id="calls-body"></tbody></table>
    <p class="empty" id="no-calls">None yet.</p>
    <div id="log-box" hidden><h3>Engine warnings</h3><ul id="log"></ul></div>
  </section>
</main>
<script type="application/json" id="initial-state">${scriptJson(snapshot)}</script>
<script nonce="${nonce}">${clientScript}</script>
</body>
</html>
`;
}
