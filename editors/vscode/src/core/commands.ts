// The server's workspace/executeCommand names and their arguments, in one place for the extension and
// its tests.

export const SERVER_COMMAND_RUN_PROBE = 'faultline.runProbe';
export const SERVER_COMMAND_SHOW_TRACE = 'faultline.showTrace';

// Both server commands act on one document, named by its URI.
export function documentCommandArguments(uri: string): [{ uri: string }] {
  return [{ uri }];
}

// The trace comes back as a JSON value; it is shown as pretty-printed JSON, or as the server's text when
// the server sent a string.
export function traceDocumentText(result: unknown): string {
  if (typeof result === 'string') {
    try {
      return JSON.stringify(JSON.parse(result), null, 2);
    } catch {
      return result;
    }
  }
  return JSON.stringify(result ?? null, null, 2);
}
