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

// `configured` is faultline.path: a bare name is searched on PATH; anything with a separator is a path
// (`~` expands to the home directory, a relative path is taken against `baseDir`, the first workspace
// folder). Returns the absolute file to spawn, or undefined when nothing runnable is there.
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
  for (const dir of (env.PATH ?? '').split(delimiter)) {
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
