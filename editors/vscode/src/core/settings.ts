// Turns the user's `faultline.*` settings into the options object the server reads, both as
// initializationOptions and as the `settings` of workspace/didChangeConfiguration. No `vscode` import, so
// the mapping is unit-tested in plain Node.

export interface ServerOptions {
  probe: {
    enabled: boolean;
    budgetSeconds: number;
    memoryLimitMB: number;
  };
  checks: {
    disabled: string[];
  };
  logLevel: LogLevel;
}

export type LogLevel = 'error' | 'warning' | 'info' | 'debug';

// The same defaults and limits as package.json's contributes.configuration; values outside the limits are
// clamped here rather than rejected so that a typo in settings.json degrades to a working server.
export const DEFAULTS: ServerOptions = {
  probe: { enabled: true, budgetSeconds: 3, memoryLimitMB: 1024 },
  checks: { disabled: [] },
  logLevel: 'info',
};
export const BUDGET_SECONDS_RANGE: readonly [number, number] = [0.5, 600];
export const MEMORY_LIMIT_MB_RANGE: readonly [number, number] = [64, 65536];
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warning', 'info', 'debug'];

// What `workspace.getConfiguration('faultline')` yields, read key by key. Values are `unknown` because
// settings.json is hand-edited and VS Code does not enforce the schema.
export interface RawSettings {
  'probe.enabled'?: unknown;
  'probe.budgetSeconds'?: unknown;
  'probe.memoryLimitMB'?: unknown;
  checks?: unknown;
  logLevel?: unknown;
}

export const SERVER_SETTING_KEYS: readonly (keyof RawSettings)[] = [
  'probe.enabled',
  'probe.budgetSeconds',
  'probe.memoryLimitMB',
  'checks',
  'logLevel',
];

function clampNumber(value: unknown, fallback: number, [lo, hi]: readonly [number, number]): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return fallback;
  }
  return Math.min(hi, Math.max(lo, value));
}

// `faultline.checks` maps a rule code to false to switch it off ({"FL101": false}), the way VS Code's own
// linters take per-rule switches. A list of codes is accepted too, each meaning "disabled", because that is
// what the server's option holds and what users of other editors will paste.
export function disabledChecks(value: unknown): string[] {
  const codes = new Set<string>();
  if (Array.isArray(value)) {
    for (const code of value) {
      if (typeof code === 'string' && code.trim() !== '') {
        codes.add(code.trim());
      }
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [code, enabled] of Object.entries(value as Record<string, unknown>)) {
      if (enabled === false && code.trim() !== '') {
        codes.add(code.trim());
      }
    }
  }
  return [...codes].sort();
}

export function toServerOptions(raw: RawSettings): ServerOptions {
  const enabled = raw['probe.enabled'];
  const logLevel = raw.logLevel;
  return {
    probe: {
      enabled: typeof enabled === 'boolean' ? enabled : DEFAULTS.probe.enabled,
      budgetSeconds: clampNumber(raw['probe.budgetSeconds'], DEFAULTS.probe.budgetSeconds, BUDGET_SECONDS_RANGE),
      memoryLimitMB: Math.round(
        clampNumber(raw['probe.memoryLimitMB'], DEFAULTS.probe.memoryLimitMB, MEMORY_LIMIT_MB_RANGE),
      ),
    },
    checks: { disabled: disabledChecks(raw.checks) },
    logLevel: LOG_LEVELS.includes(logLevel as LogLevel) ? (logLevel as LogLevel) : DEFAULTS.logLevel,
  };
}
