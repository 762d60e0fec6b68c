// How many times a crashed server is restarted: a server that crashes on every start must not loop
// forever, but one crash an hour must not leave the user without diagnostics either.

export const MAX_RESTARTS = 5;
export const RESTART_WINDOW_MS = 3 * 60 * 1000;

export class RestartBudget {
  private readonly crashes: number[] = [];

  constructor(
    private readonly maxRestarts = MAX_RESTARTS,
    private readonly windowMs = RESTART_WINDOW_MS,
  ) {}

  // Records a crash at `now` (ms) and says whether to restart after it.
  allowRestart(now: number): boolean {
    while (this.crashes.length > 0 && now - this.crashes[0] > this.windowMs) {
      this.crashes.shift();
    }
    this.crashes.push(now);
    return this.crashes.length <= this.maxRestarts;
  }

  // After the user restarts the server by hand, earlier crashes no longer count against it.
  reset(): void {
    this.crashes.length = 0;
  }
}
