// The server's version as printed by `faultline --version`, and whether it is new enough for this extension.

// The oldest server whose protocol (option names, command names, diagnostic data) this extension speaks.
export const MIN_SERVER_VERSION = '0.1.0';

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

// Accepts "faultline 0.1.0", with an optional pre-release or build suffix ("0.2.0-dev+g1a2b3c") and
// surrounding noise such as a trailing newline; anything else yields undefined.
export function parseVersionOutput(output: string): Version | undefined {
  const match = /^faultline (\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.+-]*)?\s*$/m.exec(output);
  if (!match) {
    return undefined;
  }
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

export function parseVersion(text: string): Version | undefined {
  return parseVersionOutput(`faultline ${text.trim()}`);
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

export type VersionVerdict =
  | { kind: 'ok'; version: Version }
  | { kind: 'too-old'; version: Version; minimum: Version }
  | { kind: 'unrecognized'; output: string };

export function judgeVersionOutput(output: string, minimum: string = MIN_SERVER_VERSION): VersionVerdict {
  const version = parseVersionOutput(output);
  const min = parseVersion(minimum);
  if (!min) {
    throw new Error(`invalid minimum version '${minimum}'`);
  }
  if (!version) {
    return { kind: 'unrecognized', output: output.trim().slice(0, 200) };
  }
  if (compareVersions(version, min) < 0) {
    return { kind: 'too-old', version, minimum: min };
  }
  return { kind: 'ok', version };
}
