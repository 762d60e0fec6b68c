// The parts of the `vscode` API that the extension itself touches, recording what it did; everything else
// that vscode-languageclient reaches for is an inert stand-in. Enough to run the real bundle in plain Node.
'use strict';

function inert(name) {
  return new Proxy(class {}, {
    get(target, prop) {
      if (prop === Symbol.toPrimitive) return () => name;
      if (prop === 'then') return undefined; // not a promise
      if (prop in target) return target[prop];
      return inert(`${name}.${String(prop)}`);
    },
    apply: () => inert(`${name}()`),
    construct: () => inert(`new ${name}`),
  });
}

function withInert(object, name) {
  return new Proxy(object, { get: (target, prop) => (prop in target ? target[prop] : inert(`${name}.${String(prop)}`)) });
}

function createStub({ settings = {}, userPath, isTrusted = true, answer, activeTextEditor } = {}) {
  const events = [];
  const commands = new Map();
  const listeners = { configuration: [] };
  const disposable = () => ({ dispose() {} });
  const configuration = {
    get: (key) => settings[key],
    inspect: (key) => (key === 'path' ? { defaultValue: 'faultline', globalValue: userPath, workspaceValue: settings.path } : undefined),
  };
  const vscode = withInert(
    {
      version: '1.82.0',
      window: withInert(
        {
          createOutputChannel: () =>
            withInert(
              {
                append: (text) => events.push({ kind: 'log', line: text }),
                appendLine: (line) => events.push({ kind: 'log', line }),
                show() {},
                dispose() {},
              },
              'outputChannel',
            ),
          activeTextEditor,
          showInformationMessage: async (message) => events.push({ kind: 'info', message }),
          showErrorMessage: async (message, ...actions) => {
            events.push({ kind: 'error', message, actions });
            return answer ? answer(message, actions) : undefined;
          },
          showWarningMessage: async (message) => events.push({ kind: 'warning', message }),
        },
        'window',
      ),
      workspace: withInert(
        {
          getConfiguration: () => configuration,
          isTrusted,
          workspaceFolders: undefined,
          textDocuments: [],
          onDidChangeConfiguration: (listener) => {
            listeners.configuration.push(listener);
            return disposable();
          },
          onDidGrantWorkspaceTrust: disposable,
        },
        'workspace',
      ),
      commands: withInert(
        {
          registerCommand: (id, handler) => {
            events.push({ kind: 'command', id });
            commands.set(id, handler);
            return disposable();
          },
          executeCommand: async (id, ...args) => events.push({ kind: 'execute', id, args }),
        },
        'commands',
      ),
    },
    'vscode',
  );
  const changeConfiguration = (section) =>
    Promise.all(listeners.configuration.map((l) => l({ affectsConfiguration: (s) => section === s || section.startsWith(`${s}.`) })));
  return { vscode, events, commands, settings, changeConfiguration };
}

module.exports = { createStub };
