// The studio page's script, plain browser JavaScript inline in the page. It renders each
// snapshot the studio sends (Server-Sent Events) and posts what the author does. Everything the
// bot, the user or the file says is put in the page as text (textContent), never as HTML; the
// only markup it inserts is the flow's SVG, which the studio itself draws.
// Written without template literals: it lives inside one.
export const clientScript = String.raw`
(function () {
  'use strict';
  var svgNS = 'http://www.w3.org/2000/svg';
  var $ = function (id) { return document.getElementById(id); };
  var el = {
    botName: $('bot-name'), botFile: $('bot-file'), banner: $('banner'), notes: $('notes'),
    channel: $('channel'), services: $('services'), servicesBox: $('services-box'), restart: $('restart'), newUser: $('new-user'),
    who: $('who'), transcript: $('transcript'), choices: $('choices'), composer: $('composer'), message: $('message'), hint: $('hint'), keypad: $('keypad'),
    flow: $('flow'), where: $('where'), fit: $('fit'), source: $('source'), sourceTitle: $('source-title'), sourceLines: $('source-lines'), sourceClose: $('source-close'), editor: $('open-editor'),
    problems: $('problems'), noProblems: $('no-problems'), problemCount: $('problem-count'), variables: $('variables-body'), noVariables: $('no-variables'),
    signIn: $('sign-in'), calls: $('calls-body'), noCalls: $('no-calls'), log: $('log'), logBox: $('log-box')
  };
  var state = null;
  var shownVersion = Number(el.flow.getAttribute('data-version')) || 0;
  var wantedVersion = shownVersion;
  var firstEntry = null;
  var lastEntry = 0;
  var current = null;

  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) })
      .then(function (response) { if (!response.ok) throw new Error(response.status + ' ' + response.statusText); })
      .catch(function (error) { showBanner('The studio did not take that (' + error.message + '). Is it still running?', false); });
  }

  function send(text, choice) {
    if (text.trim() === '' && choice === undefined) return;
    var body = choice === undefined ? { text: text } : { text: text, choice: choice };
    el.message.value = '';
    post('/api/message', body);
    el.message.focus();
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function make(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function showBanner(text, isNote) {
    el.banner.textContent = text;
    el.banner.className = isNote ? 'banner note' : 'banner';
    el.banner.hidden = text === '';
  }

  /** Bot text, with web addresses as links that open in a new tab (sign-in links). */
  function linked(node, text) {
    var parts = text.split(/(https?:\/\/[^\s<>"']+)/);
    for (var i = 0; i < parts.length; i++) {
      if (i % 2 === 0) { if (parts[i] !== '') node.appendChild(document.createTextNode(parts[i])); continue; }
      var a = make('a', parts[i]);
      a.href = parts[i];
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      node.appendChild(a);
    }
  }

  function entryNode(entry) {
    var node = make('div', null, entry.from === 'note' ? 'note' : 'msg');
    if (entry.from !== 'note') node.setAttribute('data-from', entry.from);
    if (entry.speech) node.classList.add('speech');
    if (entry.masked) { node.classList.add('masked'); node.setAttribute('aria-label', 'secret answer, hidden'); }
    if (entry.keys) node.classList.add('keys');
    if (entry.from === 'bot') linked(node, entry.text); else node.textContent = entry.text;
    return node;
  }

  function renderTranscript(s) {
    var box = el.transcript;
    box.setAttribute('data-channel', s.channel);
    var entries = s.transcript;
    var first = entries.length > 0 ? entries[0].id : null;
    var nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
    var typing = box.querySelector('.typing');
    if (typing) box.removeChild(typing);
    if (first !== firstEntry || entries.length === 0 || entries[entries.length - 1].id < lastEntry) {
      clear(box);
      lastEntry = 0;
      firstEntry = first;
      nearBottom = true;
    }
    for (var i = 0; i < entries.length; i++) {
      if (entries[i].id <= lastEntry) continue;
      box.appendChild(entryNode(entries[i]));
      lastEntry = entries[i].id;
    }
    if (s.busy) box.appendChild(make('div', s.channel === 'phone' ? 'the line is quiet…' : 'the bot is typing…', 'typing'));
    if (nearBottom) box.scrollTop = box.scrollHeight;
  }

  function renderComposer(s) {
    var prompt = s.prompt;
    var phone = s.channel === 'phone';
    clear(el.choices);
    if (prompt && prompt.buttons) {
      prompt.buttons.forEach(function (choice) {
        var b = make('button', choice.label);
        b.type = 'button';
        b.addEventListener('click', function () { send(choice.label, choice.value); });
        el.choices.appendChild(b);
      });
    }
    if (phone && s.call === 'ended') {
      var again = make('button', 'Call again');
      again.type = 'button';
      again.addEventListener('click', function () { post('/api/call'); el.message.focus(); });
      el.choices.appendChild(again);
    }
    var secret = !!(prompt && prompt.secret);
    el.message.classList.toggle('secret', secret);
    el.message.placeholder = secret ? 'Secret: hidden as you type' : phone ? 'Key digits, or say something' : 'Type a message';
    el.keypad.hidden = !phone;
    var hint = 'Enter sends.';
    if (secret) hint = 'A secret answer: it is hidden here and shown nowhere.';
    else if (phone && prompt && prompt.numDigits) hint = 'Press ' + (prompt.numDigits === 1 ? 'a key' : prompt.numDigits + ' keys') + ': the answer goes by itself.';
    else if (phone && prompt && prompt.keypadOnly) hint = 'Key the digits, then # (or type them and press Enter).';
    else if (phone) hint = 'Key digits and #, or type what the caller says and press Enter.';
    else if (prompt && prompt.buttons) hint = 'Tap a choice, or type an answer. Enter sends.';
    el.hint.textContent = hint;
  }

  function renderHeader(s) {
    el.botName.textContent = s.bot ? s.bot.name : 'no bot yet';
    el.botFile.textContent = s.bot ? s.bot.file : '';
    document.title = 'Parley Studio · ' + (s.bot ? s.bot.name : 'no bot');
    if (el.channel.value !== s.channel) el.channel.value = s.channel;
    var choices = s.services.choices;
    el.servicesBox.hidden = choices.length < 2;
    if (el.services.options.length !== choices.length) {
      clear(el.services);
      choices.forEach(function (c) { var o = make('option', c.label); o.value = c.id; el.services.appendChild(o); });
    }
    if (el.services.value !== s.services.chosen) el.services.value = s.services.chosen;
    el.who.textContent = 'as ' + s.user + (choices.length > 1 ? ' · ' + choices.filter(function (c) { return c.id === s.services.chosen; })[0].label.toLowerCase() : '');
    var errors = s.problems.filter(function (p) { return p.severity === 'error'; }).length;
    if (s.refused && s.bot) showBanner(s.problems[0].file + ' does not load (' + errors + (errors === 1 ? ' problem' : ' problems') + ', listed under Problems): the studio runs the last version that did until you fix it.', false);
    else if (s.refused) showBanner('The bot file does not load (' + errors + (errors === 1 ? ' problem' : ' problems') + ', listed under Problems): fix it and save; the studio starts once it loads.', false);
    else showBanner('', false);
    clear(el.notes);
    el.notes.hidden = s.notes.length === 0;
    s.notes.forEach(function (n) { el.notes.appendChild(make('li', n)); });
  }

  function renderProblems(s) {
    clear(el.problems);
    s.problems.forEach(function (p) {
      var li = make('li', null, p.severity);
      var where = p.file + ':' + p.line + ':' + p.column;
      var loc = make('button', where, 'loc');
      loc.type = 'button';
      loc.title = 'Show this line of the file';
      loc.addEventListener('click', function () { showSource('current', where, p.line); });
      li.appendChild(loc);
      li.appendChild(document.createTextNode(' '));
      if (p.severity === 'warning') li.appendChild(make('span', 'warning: ', 'sev'));
      li.appendChild(document.createTextNode(p.message));
      el.problems.appendChild(li);
    });
    el.noProblems.hidden = s.problems.length > 0;
    el.problemCount.textContent = s.problems.length > 0 ? '(' + s.problems.length + ')' : '';
  }

  function renderVariables(s) {
    clear(el.variables);
    s.variables.forEach(function (v) {
      var tr = make('tr');
      var th = make('th', v.name);
      th.scope = 'row';
      tr.appendChild(th);
      var td = make('td', v.value, 'value');
      if (v.masked) td.setAttribute('aria-label', v.value.indexOf('•') >= 0 || v.value.indexOf('***') >= 0 ? 'hidden: ' + v.value : v.value);
      tr.appendChild(td);
      el.variables.appendChild(tr);
    });
    el.noVariables.hidden = s.variables.length > 0;
  }

  function renderSignIn(s) {
    var box = el.signIn;
    clear(box);
    var view = s.signIn;
    box.appendChild(make('p', view.pending ? 'Waiting: ' + view.pending : 'No sign-in in progress.'));
    if (view.answers.length > 0) {
      var answers = make('ul');
      view.answers.forEach(function (a) { answers.appendChild(make('li', a.field + ': ' + a.value)); });
      box.appendChild(answers);
    }
    if (view.accounts.length === 0) box.appendChild(make('p', 'Signed in to nothing.'));
    else {
      var list = make('ul');
      view.accounts.forEach(function (a) { list.appendChild(make('li', a.definition + ': ' + a.names.join(', ') + ' (token ••••••)')); });
      box.appendChild(list);
    }
  }

  function renderCalls(s) {
    clear(el.calls);
    s.calls.slice().reverse().forEach(function (c) {
      var tr = make('tr');
      tr.appendChild(make('td', new Date(c.at).toLocaleTimeString([], { hour12: false })));
      var call = make('td');
      call.appendChild(make('span', c.method + ' ' + c.url));
      call.appendChild(document.createTextNode(' '));
      call.appendChild(make('span', c.subject, 'subject'));
      if (c.why) { call.appendChild(document.createTextNode(' ')); call.appendChild(make('span', c.why + '. ' + (c.way || ''), 'why')); }
      tr.appendChild(call);
      tr.appendChild(make('td', String(c.outcome), c.ok ? 'call-ok' : 'call-bad'));
      tr.appendChild(make('td', c.ms + ' ms'));
      el.calls.appendChild(tr);
    });
    el.noCalls.hidden = s.calls.length > 0;
    clear(el.log);
    s.log.forEach(function (line) { el.log.appendChild(make('li', line)); });
    el.logBox.hidden = s.log.length === 0;
  }

  // --- the flow ---------------------------------------------------------------------------

  function decorateFlow() {
    var nodes = el.flow.querySelectorAll('[data-step]');
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      var step = node.getAttribute('data-step');
      var where = state && state.locations[step];
      node.setAttribute('tabindex', '0');
      var title = node.querySelector('title');
      if (!title) { title = document.createElementNS(svgNS, 'title'); node.insertBefore(title, node.firstChild); }
      title.textContent = (where || step) + ' (' + step + '): select to see it in the file';
    }
  }

  function loadFlow(version) {
    wantedVersion = version;
    fetch('/api/flow.svg?v=' + version).then(function (r) { return r.ok ? r.text() : Promise.reject(new Error(String(r.status))); }).then(function (svg) {
      if (version !== wantedVersion) return;
      el.flow.innerHTML = svg;
      el.flow.setAttribute('data-version', String(version));
      shownVersion = version;
      current = null;
      autoFit();
      decorateFlow();
      markFlow(state, true);
    }).catch(function () {
      // Not laid out yet: the next snapshot asks again.
      if (version === wantedVersion) wantedVersion = shownVersion;
    });
  }

  /** A flow a little wider than its panel is shown whole; a much wider one keeps its size, to scroll. */
  var fitChosen = false;
  function autoFit() {
    if (fitChosen) return;
    var svg = el.flow.querySelector('svg');
    var width = svg ? Number(svg.getAttribute('width')) : 0;
    var fit = width > el.flow.clientWidth && el.flow.clientWidth / width >= 0.7;
    el.flow.classList.toggle('fit', fit);
    el.fit.setAttribute('aria-pressed', fit ? 'true' : 'false');
  }

  function markFlow(s, force) {
    if (!s) return;
    var at = s.at ? s.at.step : null;
    var trail = {};
    s.trail.forEach(function (t) { trail[t] = true; });
    var nodes = el.flow.querySelectorAll('[data-step]');
    var here = null;
    for (var i = 0; i < nodes.length; i++) {
      var step = nodes[i].getAttribute('data-step');
      if (step === at) { nodes[i].setAttribute('aria-current', 'step'); here = nodes[i]; }
      else nodes[i].removeAttribute('aria-current');
      nodes[i].classList.toggle('visited', !!trail[step] && step !== at);
    }
    if (here && (force || at !== current)) scrollToNode(here);
    current = at;
    clear(el.where);
    if (s.at) {
      el.where.appendChild(document.createTextNode('At ' + s.at.step + ' · ' + s.at.type + ' · '));
      var loc = make('button', s.at.location);
      loc.type = 'button';
      loc.title = 'Show this step in the file';
      loc.addEventListener('click', function () { showStep(s.at.step); });
      el.where.appendChild(loc);
    } else el.where.textContent = s.bot ? 'Not in a conversation: send a message to start one.' : '';
  }

  /** Brings the current step into view, moving along an axis only when it is out of view on it. */
  function scrollToNode(node) {
    var box = el.flow.getBoundingClientRect();
    var r = node.getBoundingClientRect();
    var top = el.flow.scrollTop, left = el.flow.scrollLeft;
    if (r.top < box.top || r.bottom > box.bottom) top += r.top - box.top - box.height / 3;
    if (r.left < box.left || r.right > box.right) left += r.left - box.left - Math.max(16, (box.width - r.width) / 2);
    if (top !== el.flow.scrollTop || left !== el.flow.scrollLeft) el.flow.scrollTo({ top: top, left: left, behavior: 'smooth' });
  }

  function showStep(step) {
    var where = state && state.locations[step];
    if (!where) return;
    var parts = where.split(':');
    showSource('good', where, Number(parts[parts.length - 2]));
  }

  var sources = {};
  function showSource(which, where, line) {
    var key = which + (which === 'good' && state && state.bot ? state.bot.version : Date.now());
    var text = sources[key] || fetch('/api/source?which=' + which).then(function (r) { return r.json(); }).then(function (j) { return j.text; });
    sources[key] = text;
    Promise.resolve(text).then(function (t) {
      var lines = t.split(/\r\n|\r|\n/);
      clear(el.sourceLines);
      var from = Math.max(1, line - 4), to = Math.min(lines.length, line + 10);
      for (var n = from; n <= to; n++) {
        var span = make('span', lines[n - 1] === '' ? ' ' : lines[n - 1], n === line ? 'line here' : 'line');
        span.setAttribute('data-n', String(n));
        el.sourceLines.appendChild(span);
      }
      el.sourceTitle.textContent = where;
      if (state && state.bot && state.bot.path) {
        el.editor.hidden = false;
        el.editor.href = 'vscode://file/' + encodeURI(state.bot.path) + ':' + line + ':' + (where.split(':').pop() || '1');
      } else el.editor.hidden = true;
      el.source.hidden = false;
    });
  }

  el.flow.addEventListener('click', function (event) {
    var node = event.target.closest && event.target.closest('[data-step]');
    if (node) showStep(node.getAttribute('data-step'));
  });
  el.flow.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    var node = event.target.closest && event.target.closest('[data-step]');
    if (node) { event.preventDefault(); showStep(node.getAttribute('data-step')); }
  });
  el.sourceClose.addEventListener('click', function () { el.source.hidden = true; });
  el.fit.addEventListener('click', function () {
    var fit = el.flow.classList.toggle('fit');
    fitChosen = true;
    el.fit.setAttribute('aria-pressed', fit ? 'true' : 'false');
  });

  // --- what the author does ---------------------------------------------------------------

  el.composer.addEventListener('submit', function (event) {
    event.preventDefault();
    send(el.message.value);
  });
  el.channel.addEventListener('change', function () { post('/api/channel', { channel: el.channel.value }); el.message.focus(); });
  el.services.addEventListener('change', function () { post('/api/services', { id: el.services.value }); el.message.focus(); });
  el.restart.addEventListener('click', function () { post('/api/restart', { newUser: false }); el.message.focus(); });
  el.newUser.addEventListener('click', function () { post('/api/restart', { newUser: true }); el.message.focus(); });
  el.keypad.addEventListener('click', function (event) {
    var key = event.target.getAttribute && event.target.getAttribute('data-key');
    if (!key) return;
    if (key === '#') { send(el.message.value + '#'); return; }
    el.message.value += key;
    var wanted = state && state.prompt && state.prompt.numDigits;
    if (wanted && el.message.value.replace(/[^0-9*]/g, '').length >= wanted) send(el.message.value);
    else el.message.focus();
  });

  function render(s) {
    state = s;
    renderHeader(s);
    renderTranscript(s);
    renderComposer(s);
    renderProblems(s);
    renderVariables(s);
    renderSignIn(s);
    renderCalls(s);
    if (s.bot && s.bot.version !== shownVersion && s.bot.version !== wantedVersion) loadFlow(s.bot.version);
    else if (s.bot && shownVersion === s.bot.version) { decorateFlow(); markFlow(s, false); }
  }

  render(JSON.parse($('initial-state').textContent));
  autoFit();
  var resizing = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizing);
    resizing = setTimeout(autoFit, 100);
  });
  el.message.focus();
  var events = new EventSource('/api/events');
  events.onmessage = function (event) { render(JSON.parse(event.data)); };
  events.onerror = function () { if (events.readyState !== EventSource.OPEN) showBanner('Lost the studio: is it still running? Trying again…', true); };
  events.onopen = function () { if (state) renderHeader(state); };
})();
`;
