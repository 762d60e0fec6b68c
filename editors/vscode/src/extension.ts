// VS Code glue: finds the `faultline` binary, starts `faultline lsp` over stdio through
// vscode-languageclient, forwards settings, and adds the palette commands. The decisions (settings mapping,
// binary lookup, version check, restart budget) live in ./core and are unit-tested without VS Code.

import * as vscode from 'vscode';
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  ErrorHandler,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions as ExecutableOptions,
} from 'vscode-languageclient/node';

import { currentEnv, notFoundMessage, queryVersion, resolveExecutable } from './core/binary';
import {
  SERVER_COMMAND_RUN_PROBE,
  SERVER_COMMAND_SHOW_TRACE,
  documentCommandArguments,
  traceDocumentText,
} from './core/commands';
import { RestartBudget, MAX_RESTARTS, RESTART_WINDOW_MS } from './core/restart';
import { RawSettings, SERVER_SETTING_KEYS, ServerOptions, toServerOptions } from './core/settings';
import { MIN_SERVER_VERSION, formatVersion, judgeVersionOutput } from './core/version';

const SECTION = 'faultline';
const SET_PATH_ACTION = 'Set faultline.path';
const SHOW_OUTPUT_ACTION = 'Show output';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
const restarts = new RestartBudget();

function readServerOptions(): ServerOptions {
  const config = vscode.workspace.getConfiguration(SECTION);
  const raw: RawSettings = {};
  for (const key of SERVER_SETTING_KEYS) {
    raw[key] = config.get<unknown>(key);
  }
  return toServerOptions(raw);
}

// faultline.path decides which program runs. In an untrusted workspace a checked-in .vscode/settings.json
// could point it at a script in the repository, so there only the user's own settings count; that keeps the
// extension's promise that opening an untrusted folder runs nothing from it.
function configuredPath(): string {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<string>('path');
  if (!vscode.workspace.isTrusted) {
    return inspected?.globalValue ?? inspected?.defaultValue ?? 'faultline';
  }
  return vscode.workspace.getConfiguration(SECTION).get<string>('path') ?? 'faultline';
}

async function offerSetPath(message: string): Promise<void> {
  output.appendLine(message);
  const choice = await vscode.window.showErrorMessage(message, SET_PATH_ACTION, SHOW_OUTPUT_ACTION);
  if (choice === SET_PATH_ACTION) {
    await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.path`);
  } else if (choice === SHOW_OUTPUT_ACTION) {
    output.show();
  }
}

// Resolves and checks the binary; on failure tells the user what to do and returns undefined.
async function locateServer(): Promise<string | undefined> {
  const configured = configuredPath();
  const baseDir = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const file = resolveExecutable(configured, currentEnv(), baseDir);
  if (!file) {
    await offerSetPath(notFoundMessage(configured, currentEnv(), MIN_SERVER_VERSION));
    return undefined;
  }
  let versionOutput: string;
  try {
    versionOutput = await queryVersion(file);
  } catch (error) {
    await offerSetPath(`faultline: '${file}' could not report its version: ${(error as Error).message}`);
    return undefined;
  }
  const verdict = judgeVersionOutput(versionOutput);
  if (verdict.kind === 'unrecognized') {
    await offerSetPath(
      `faultline: '${file} --version' printed '${verdict.output}', not 'faultline X.Y.Z'; ` +
        'faultline.path may point at a different program.',
    );
    return undefined;
  }
  if (verdict.kind === 'too-old') {
    await offerSetPath(
      `faultline: '${file}' is version ${formatVersion(verdict.version)}; this extension needs ` +
        `${formatVersion(verdict.minimum)} or later. Update faultline or set faultline.path to a newer build.`,
    );
    return undefined;
  }
  output.appendLine(`faultline ${formatVersion(verdict.version)} at ${file}`);
  return file;
}

function errorHandler(): ErrorHandler {
  return {
    // A broken message is logged by the client; the connection stays up unless it keeps failing.
    error: (_error, _message, count) => ({
      action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
    }),
    closed: () => {
      if (restarts.allowRestart(Date.now())) {
        return { action: CloseAction.Restart };
      }
      const minutes = RESTART_WINDOW_MS / 60000;
      void vscode.window
        .showErrorMessage(
          `faultline: the language server stopped ${MAX_RESTARTS + 1} times in ${minutes} minutes and will not ` +
            'be restarted automatically. Its log is in the faultline output channel.',
          SHOW_OUTPUT_ACTION,
          'Restart server',
        )
        .then((choice) => {
          if (choice === SHOW_OUTPUT_ACTION) {
            output.show();
          } else if (choice === 'Restart server') {
            void vscode.commands.executeCommand('faultline.restartServer');
          }
        });
      return { action: CloseAction.DoNotRestart, handled: true };
    },
  };
}

function createClient(file: string): LanguageClient {
  // No `transport` on purpose: TransportKind.stdio would append `--stdio`; plain `faultline lsp` already
  // speaks over stdin/stdout.
  const executable: ExecutableOptions = { command: file, args: ['lsp'] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
    ],
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    // A function, so that every (re)start sends the settings in force at that moment.
    initializationOptions: () => readServerOptions(),
    errorHandler: errorHandler(),
    middleware: {
      workspace: {
        // A server that pulls its settings gets the same shape as initializationOptions, not VS Code's
        // raw `faultline.*` tree.
        configuration: (params, token, next) => {
          if (params.items.every((item) => item.section !== SECTION)) {
            return next(params, token);
          }
          return params.items.map((item) => (item.section === SECTION ? readServerOptions() : null));
        },
      },
    },
  };
  // The id 'faultline' makes the client read faultline.trace.server by itself.
  return new LanguageClient(SECTION, 'faultline', executable, clientOptions);
}

async function startServer(): Promise<void> {
  const file = await locateServer();
  if (!file) {
    return;
  }
  const next = createClient(file);
  client = next;
  try {
    await next.start();
  } catch (error) {
    output.appendLine(`faultline: the language server failed to start: ${(error as Error).message}`);
    void vscode.window.showErrorMessage(
      `faultline: the language server failed to start (${(error as Error).message}).`,
      SHOW_OUTPUT_ACTION,
    );
  }
}

async function stopServer(): Promise<void> {
  const current = client;
  client = undefined;
  if (current) {
    try {
      await current.stop(2000);
    } catch (error) {
      output.appendLine(`faultline: stopping the server: ${(error as Error).message}`);
    }
  }
}

async function restartServer(): Promise<void> {
  restarts.reset();
  await stopServer();
  await startServer();
}

function activePythonDocument(): vscode.TextDocument | undefined {
  const document = vscode.window.activeTextEditor?.document;
  if (!document || document.languageId !== 'python') {
    void vscode.window.showWarningMessage('faultline: open a Python training script first.');
    return undefined;
  }
  return document;
}

async function executeOnActiveDocument(command: string): Promise<unknown> {
  const document = activePythonDocument();
  if (!document) {
    return undefined;
  }
  if (!client || !client.isRunning()) {
    void vscode.window.showWarningMessage('faultline: the language server is not running.');
    return undefined;
  }
  const uri = client.code2ProtocolConverter.asUri(document.uri);
  return client.sendRequest(ExecuteCommandRequest.type, {
    command,
    arguments: documentCommandArguments(uri),
  });
}

async function runProbe(): Promise<void> {
  try {
    // The server shows the probe's progress itself and answers once its findings are published.
    const done = await executeOnActiveDocument(SERVER_COMMAND_RUN_PROBE);
    if (done !== undefined) {
      vscode.window.setStatusBarMessage('faultline: probe finished', 5000);
    }
  } catch (error) {
    void vscode.window.showErrorMessage(`faultline: the probe could not run: ${(error as Error).message}`);
  }
}

async function showTrace(): Promise<void> {
  let result: unknown;
  try {
    result = await executeOnActiveDocument(SERVER_COMMAND_SHOW_TRACE);
  } catch (error) {
    void vscode.window.showErrorMessage(`faultline: no trace: ${(error as Error).message}`);
    return;
  }
  if (result === undefined) {
    return;
  }
  if (result === null) {
    void vscode.window.showInformationMessage(
      'faultline: no probe has run on this document yet; "faultline: Run probe" starts one.',
    );
    return;
  }
  const document = await vscode.workspace.openTextDocument({ language: 'json', content: traceDocumentText(result) });
  await vscode.window.showTextDocument(document, { preview: false });
}

async function onConfigurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
  if (!event.affectsConfiguration(SECTION)) {
    return;
  }
  if (event.affectsConfiguration(`${SECTION}.path`) || !client) {
    await restartServer();
    return;
  }
  if (client.isRunning()) {
    await client.sendNotification(DidChangeConfigurationNotification.type, { settings: readServerOptions() });
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('faultline');
  context.subscriptions.push(
    output,
    // These ids differ from the server's own command names: the client registers those itself when the
    // server announces them, and a second registration of the same id would fail.
    vscode.commands.registerCommand('faultline.editor.runProbe', runProbe),
    vscode.commands.registerCommand('faultline.editor.showTrace', showTrace),
    vscode.commands.registerCommand('faultline.restartServer', restartServer),
    vscode.workspace.onDidChangeConfiguration(onConfigurationChanged),
    // Granting trust can change which faultline.path applies.
    vscode.workspace.onDidGrantWorkspaceTrust(restartServer),
  );
  await startServer();
}

export async function deactivate(): Promise<void> {
  await stopServer();
}
