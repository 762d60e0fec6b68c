// Finding the `faultline` executable the way a shell would, and asking it for its version. Node only (no
// `vscode`), so both are unit-tested against real files and a fake executable.

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface LookupEnv {
  platform: NodeJS.Platform;
  PATH: string | undefined;
  PATHEXT?: string | undefined;
  homedir: string;
  isExecutableFile: (file: string) => boolean;
}

export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    // Windows has no execute bit; the PATHEXT extension is what makes a file runnable there.
    if (process.platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

export function currentEnv(): LookupEnv {
  return {
    platform: process.platform,
    PATH: process.env.PATH,
    PATHEXT: process.env.PATHEXT,
    homedir: os.homedir(),
    isExecutableFile,
  };
}

function pathModule(platform: NodeJS.Platform): typeof path.posix {
  return platform === 'win32' ? path.win32 : path.posix;
}

function candidates(file: string, env: LookupEnv): string[] {
  if (env.platform !== 'win32') {
    return [file];
  }
  const exts = (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter((e) => e !== '');
  const hasExt = exts.some((e) => file.toLowerCase().endsWith(e.toLowerCase()));
  return hasExt ? [file] : [file, ...exts.map((e) => file + e)];
}

// Where `scripts/install` (~/.local/bin) and the Debian package (/usr/bin) put the binary, plus /usr/local/bin:
// an editor started from a desktop menu often has a PATH without ~/.local/bin, and the user should not have to
// configure what they just installed.
export function installDirs(env: LookupEnv): string[] {
  if (env.platform === 'win32') {
    return [];
  }
  return [path.posix.join(env.homedir, '.local', 'bin'), '/usr/local/bin', '/usr/bin'];
}

// What to tell a user whose faultline cannot be found: where it was looked for and how to install it.
export function notFoundMessage(configured: string, env: LookupEnv, minVersion: string): string {
  const isPath = configured.includes('/') || (env.platform === 'win32' && configured.includes('\\'));
  const where = isPath ? 'at that path' : ['on PATH', ...installDirs(env)].join(', ');
  return (
    `faultline: the language server '${configured}' was not found (looked ${where}). ` +
    `Install faultline ${minVersion} or later: from a faultline checkout, \`scripts/install\` puts it in ` +
    '~/.local/bin (or `cmake --install build --prefix PREFIX`), or install its Debian package ' +
    '(`sudo apt install ./faultline_*.deb`). Or set faultline.path to the executable.'
  );
}

// `configured` is faultline.path: a bare name is searched on PATH, then in installDirs; anything with a
// separator is a path (`~` expands to the home directory, a relative path is taken against `baseDir`, the
// first workspace folder). Returns the absolute file to spawn, or undefined when nothing runnable is there.
export function resolveExecutable(configured: string, env: LookupEnv, baseDir?: string): string | undefined {
  const p = pathModule(env.platform);
  let name = configured.trim();
  if (name === '') {
    return undefined;
  }
  if (name === '~' || name.startsWith('~/') || name.startsWith('~\\')) {
    name = p.join(env.homedir, name.slice(1));
  }
  const hasSeparator = name.includes('/') || (env.platform === 'win32' && name.includes('\\'));
  if (hasSeparator) {
    const absolute = p.isAbsolute(name) ? name : p.resolve(baseDir ?? env.homedir, name);
    return candidates(absolute, env).find(env.isExecutableFile);
  }
  const delimiter = env.platform === 'win32' ? ';' : ':';
  for (const dir of [...(env.PATH ?? '').split(delimiter), ...installDirs(env)]) {
    // An empty PATH entry means the current directory to a POSIX shell; the extension host's current
    // directory is meaningless to the user, so it is skipped.
    if (dir === '') {
      continue;
    }
    const found = candidates(p.join(dir, name), env).find(env.isExecutableFile);
    if (found) {
      return found;
    }
  }
  return undefined;
}

// Runs `<file> --version`. Rejects with the reason when the process cannot start, fails or hangs.
export function queryVersion(file: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, ['--version'], { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        const detail = String(stderr).trim() || error.message;
        reject(new Error(`'${file} --version' failed: ${detail}`));
        return;
      }
      resolve(String(stdout));
    });
  });
}
