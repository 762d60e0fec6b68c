// Makes the README's screenshot from the real server's answers: starts `faultline lsp`, opens a script, waits
// for the diagnostics, hovers the first one and asks for its code actions, saves those replies as JSON, and
// renders them as an editor-like HTML page that headless Chromium turns into a PNG. Nothing in the picture is
// typed by hand: every squiggle, hover line and fix title comes from the recorded replies.
//
//   node media/capture.mjs --server PATH/TO/faultline --script ../../examples/binary_softmax.py \
//        [--probe] [--chromium chromium] [--out media]
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

function parseArgs(argv) {
  const args = { probe: false, chromium: 'chromium', out: path.dirname(new URL(import.meta.url).pathname) };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--probe') args.probe = true;
    else if (['--server', '--script', '--chromium', '--out'].includes(flag)) args[flag.slice(2)] = argv[++i];
    else throw new Error(`unknown argument ${flag}`);
  }
  if (!args.server || !args.script) throw new Error('usage: capture.mjs --server FAULTLINE --script FILE.py [--probe]');
  return args;
}

// --- a minimal LSP client over stdio -------------------------------------------------------------------------

function startServer(command) {
  const child = spawn(command, ['lsp'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buffer = Buffer.alloc(0);
  let nextId = 1;
  const pending = new Map();
  const listeners = [];
  child.stdout.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: *(\d+)/i.exec(buffer.subarray(0, end).toString())[1]);
      if (buffer.length < end + 4 + length) return;
      const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString('utf8'));
      buffer = buffer.subarray(end + 4 + length);
      if (message.id !== undefined && message.method === undefined) {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.error) waiter.reject(new Error(`${message.error.code}: ${message.error.message}`));
        else waiter.resolve(message.result);
      } else if (message.id !== undefined) {
        // Requests from the server (workDoneProgress/create, configuration): accept them.
        write({ id: message.id, result: null });
      } else {
        for (const listener of listeners) listener(message);
      }
    }
  });
  function write(message) {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    child.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
  }
  return {
    request(method, params) {
      const id = nextId++;
      write({ id, method, params });
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
    notify(method, params) {
      write({ method, params });
    },
    onNotification(listener) {
      listeners.push(listener);
    },
    async stop() {
      await this.request('shutdown', null);
      this.notify('exit', null);
    },
  };
}

// Resolves with the diagnostics once the server has published and then been quiet for `quietMs`.
function settledDiagnostics(server, uri, quietMs, timeoutMs) {
  return new Promise((resolve, reject) => {
    let latest;
    let timer;
    const deadline = setTimeout(() => {
      if (latest) resolve(latest);
      else reject(new Error(`no diagnostics within ${timeoutMs} ms`));
    }, timeoutMs);
    server.onNotification((message) => {
      if (message.method !== 'textDocument/publishDiagnostics' || message.params.uri !== uri) return;
      latest = message.params.diagnostics;
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (latest.length === 0) return;
        clearTimeout(deadline);
        resolve(latest);
      }, quietMs);
    });
  });
}

async function record(args) {
  const file = path.resolve(args.script);
  const uri = pathToFileURL(file).href;
  const text = fs.readFileSync(file, 'utf8');
  const server = startServer(args.server);
  const options = { probe: { enabled: args.probe, budgetSeconds: 3, memoryLimitMB: 1024 }, logLevel: 'warning' };
  const version = execFileSync(args.server, ['--version']).toString().trim();
  await server.request('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(path.dirname(file)).href,
    capabilities: {
      textDocument: {
        hover: { contentFormat: ['markdown', 'plaintext'] },
        codeAction: {
          codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } },
          isPreferredSupport: true,
        },
        publishDiagnostics: { relatedInformation: true },
      },
    },
    initializationOptions: options,
  });
  server.notify('initialized', {});
  const settled = settledDiagnostics(server, uri, args.probe ? 6000 : 800, args.probe ? 120000 : 20000);
  server.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  if (args.probe) server.notify('textDocument/didSave', { textDocument: { uri } });
  const diagnostics = await settled;
  const first = [...diagnostics].sort((a, b) => a.range.start.line - b.range.start.line)[0];
  const hover = await server.request('textDocument/hover', {
    textDocument: { uri },
    position: first.range.start,
  });
  const actions = await server.request('textDocument/codeAction', {
    textDocument: { uri },
    range: first.range,
    context: { diagnostics: [first], only: ['quickfix'] },
  });
  await server.stop();
  return { server: version, script: path.basename(file), options, text, diagnostics, focus: first, hover, actions };
}

// --- rendering ---------------------------------------------------------------------------------------------

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function inlineMarkdown(s) {
  return escapeHtml(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
    .replace(/(^|[^*])\*([^*]+)\*/g, '$1<i>$2</i>')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '<u>$1</u>');
}

// Enough markdown for a hover: headings, paragraphs, lists, fenced code, rules, inline code and emphasis.
function markdownToHtml(markdown) {
  const out = [];
  let list = false;
  let fence = null;
  for (const line of markdown.split('\n')) {
    if (fence !== null) {
      if (line.startsWith('```')) {
        out.push(`<pre>${escapeHtml(fence.join('\n'))}</pre>`);
        fence = null;
      } else fence.push(line);
      continue;
    }
    if (line.startsWith('```')) {
      fence = [];
      continue;
    }
    const item = /^\s*[-*] (.*)$/.exec(line);
    if (!item && list) {
      out.push('</ul>');
      list = false;
    }
    if (item) {
      if (!list) out.push('<ul>');
      list = true;
      out.push(`<li>${inlineMarkdown(item[1])}</li>`);
    } else if (/^#{1,6} /.test(line)) {
      out.push(`<h4>${inlineMarkdown(line.replace(/^#+ /, ''))}</h4>`);
    } else if (/^(---|\*\*\*)\s*$/.test(line)) {
      out.push('<hr>');
    } else if (line.trim() !== '') {
      out.push(`<p>${inlineMarkdown(line)}</p>`);
    }
  }
  if (list) out.push('</ul>');
  if (fence !== null) out.push(`<pre>${escapeHtml(fence.join('\n'))}</pre>`);
  return out.join('\n');
}

function hoverMarkdown(hover) {
  if (!hover) return '*(no hover)*';
  const contents = hover.contents;
  if (typeof contents === 'string') return contents;
  if (Array.isArray(contents)) return contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n\n');
  return contents.value;
}

const KEYWORDS = new Set(['import', 'from', 'as', 'def', 'class', 'return', 'for', 'in', 'if', 'else', 'None', 'True', 'False', 'with', 'lambda']);

// Colours a line token by token (comments, strings, numbers, keywords) with the squiggle spans kept as
// character offsets: positions are UTF-16 code units, which is what JavaScript strings index.
function renderLine(line, squiggles) {
  const marks = new Array(line.length + 1).fill(null);
  for (const { from, to, severity } of squiggles) {
    for (let i = from; i < Math.min(to, line.length); i++) marks[i] = severity;
  }
  const tokens = [];
  const re = /(#.*$)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\b\d+(?:\.\d+)?(?:e-?\d+)?\b)|([A-Za-z_]\w*)|(\s+)|(.)/g;
  let m;
  while ((m = re.exec(line)) !== null) {
    const cls = m[1] ? 'cm' : m[2] ? 'st' : m[3] ? 'nu' : m[4] && KEYWORDS.has(m[4]) ? 'kw' : m[4] && line[re.lastIndex] === '(' ? 'fn' : '';
    tokens.push({ start: m.index, end: re.lastIndex, cls });
  }
  let html = '';
  for (const token of tokens) {
    for (let i = token.start; i < token.end; ) {
      let j = i + 1;
      while (j < token.end && marks[j] === marks[i]) j++;
      const text = escapeHtml(line.slice(i, j));
      const inner = token.cls ? `<span class="${token.cls}">${text}</span>` : text;
      html += marks[i] ? `<span class="sq sev${marks[i]}">${inner}</span>` : inner;
      i = j;
    }
  }
  return html || '&nbsp;';
}

function render(capture) {
  const lines = capture.text.replace(/\n$/, '').split('\n');
  const squigglesByLine = new Map();
  for (const d of capture.diagnostics) {
    for (let line = d.range.start.line; line <= d.range.end.line; line++) {
      const from = line === d.range.start.line ? d.range.start.character : 0;
      const to = line === d.range.end.line ? d.range.end.character : (lines[line] ?? '').length;
      if (!squigglesByLine.has(line)) squigglesByLine.set(line, []);
      squigglesByLine.get(line).push({ from, to: Math.max(to, from + 1), severity: d.severity ?? 1 });
    }
  }
  const focusLine = capture.focus.range.start.line;
  const code = lines
    .map((line, i) => {
      const row = `<div class="row${i === focusLine ? ' focus' : ''}"><span class="ln">${i + 1}</span><span class="code">${renderLine(line, squigglesByLine.get(i) ?? [])}</span></div>`;
      if (i !== focusLine) return row;
      const indent = capture.focus.range.start.character;
      const actions = (capture.actions ?? [])
        .map((a) => `<div class="action${a.isPreferred ? ' preferred' : ''}"><span class="bulb">◆</span> ${escapeHtml(a.title)}${a.isPreferred ? ' <span class="pref">preferred</span>' : ''}</div>`)
        .join('');
      return `${row.replace('</div>', '')}<div class="popups" style="left:min(calc(52px + ${indent}ch), 300px)"><div class="hover">${markdownToHtml(hoverMarkdown(capture.hover))}</div>${actions ? `<div class="menu"><div class="menu-title">Quick Fix</div>${actions}</div>` : ''}</div></div>`;
    })
    .join('\n');
  const severityName = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };
  const problems = capture.diagnostics
    .map((d) => {
      const code = typeof d.code === 'object' && d.code !== null ? d.code.value : d.code;
      return `<div class="problem"><span class="icon sev${d.severity ?? 1}">●</span> ${escapeHtml(d.message)} <span class="dim">${escapeHtml(d.source ?? '')}(${escapeHtml(String(code ?? ''))}) [Ln ${d.range.start.line + 1}, Col ${d.range.start.character + 1}]</span> <span class="dim">${severityName[d.severity ?? 1]}</span></div>`;
    })
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#1e1e1e;color:#d4d4d4;font:13px/1.5 "DejaVu Sans Mono",monospace;width:1200px}
.tab{background:#252526;color:#fff;padding:7px 16px;font-family:"DejaVu Sans",sans-serif;font-size:12px;border-bottom:1px solid #333}
.editor{padding:8px 0}.row{white-space:pre;height:19.5px}.row.focus{background:#2a2d2e}
.ln{display:inline-block;width:40px;text-align:right;color:#858585;margin-right:12px}
.kw{color:#c586c0}.st{color:#ce9178}.nu{color:#b5cea8}.cm{color:#6a9955}.fn{color:#dcdcaa}
.sq{text-decoration:underline wavy;text-underline-offset:3px}.sq.sev1{text-decoration-color:#f14c4c}.sq.sev2{text-decoration-color:#cca700}.sq.sev3,.sq.sev4{text-decoration-color:#3794ff}
.row.focus{position:relative}.popups{position:absolute;top:21px;z-index:2;display:flex;gap:10px;align-items:flex-start;white-space:normal}.editor{padding-bottom:340px}.bulb{color:#ffcc00;margin-right:4px}
.hover{background:#252526;border:1px solid #454545;padding:6px 12px;width:540px;font-family:"DejaVu Sans",sans-serif;font-size:12.5px;white-space:normal;box-shadow:0 2px 8px #000a}
.hover p{margin:4px 0}.hover h4{margin:4px 0;font-size:13px}.hover ul{margin:2px 0;padding-left:18px}.hover hr{border:0;border-top:1px solid #454545}
.hover code,.hover pre{font-family:"DejaVu Sans Mono",monospace;font-size:12px;background:#1e1e1e;padding:0 3px}.hover pre{padding:4px 6px;white-space:pre}
.menu{background:#252526;border:1px solid #454545;font-family:"DejaVu Sans",sans-serif;font-size:12.5px;width:320px;box-shadow:0 2px 8px #000a}
.menu-title{color:#858585;padding:4px 10px;border-bottom:1px solid #333}.action{padding:3px 10px}.action.preferred{background:#04395e}
.pref{color:#9cdcfe;font-size:11px;margin-left:6px}
.panel{border-top:1px solid #444;background:#1e1e1e;padding:6px 16px;font-family:"DejaVu Sans",sans-serif;font-size:12.5px}
.panel-title{font-size:11px;letter-spacing:1px;color:#bbb;margin-bottom:4px}.problem{padding:1px 0}.dim{color:#8b8b8b}
.icon.sev1{color:#f14c4c}.icon.sev2{color:#cca700}.icon.sev3,.icon.sev4{color:#3794ff}
.foot{color:#6b6b6b;font-size:11px;padding:4px 16px 8px;font-family:"DejaVu Sans",sans-serif}
</style></head><body>
<div class="tab">${escapeHtml(capture.script)}</div>
<div class="editor">${code}</div>
<div class="panel"><div class="panel-title">PROBLEMS ${capture.diagnostics.length}</div>${problems}</div>
<div class="foot">Rendered from ${escapeHtml(capture.server)}'s replies (capture.json): publishDiagnostics, hover and codeAction${capture.options.probe.enabled ? ', probe on' : ', static checks only'}.</div>
</body></html>`;
}

const args = parseArgs(process.argv.slice(2));
const capture = await record(args);
fs.mkdirSync(args.out, { recursive: true });
const jsonPath = path.join(args.out, 'capture.json');
const htmlPath = path.join(args.out, 'capture.html');
const pngPath = path.join(args.out, 'screenshot.png');
fs.writeFileSync(jsonPath, `${JSON.stringify(capture, null, 2)}\n`);
fs.writeFileSync(htmlPath, render(capture));
// The page's height: tab, code lines (19.5 px), room below for the hover, the problems panel and the footer.
const height = Math.ceil(33 + 16 + capture.text.replace(/\n$/, '').split('\n').length * 19.5 + 340 + 36 + capture.diagnostics.length * 20 + 40);
execFileSync(args.chromium, [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--hide-scrollbars',
  `--window-size=1200,${height}`,
  `--screenshot=${path.resolve(pngPath)}`,
  pathToFileURL(path.resolve(htmlPath)).href,
], { stdio: 'inherit' });
console.log(`wrote ${jsonPath}, ${htmlPath}, ${pngPath}`);
