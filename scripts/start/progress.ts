// Progress of `pnpm start`: one line per finished step with its duration and the total elapsed time; while a
// step runs, a spinner with a live detail on a TTY only (pipes and CI logs get just the lines).

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export interface Step {
  /** Updates the detail shown beside the spinner (TTY only). */
  detail(text: string): void;
}

export interface Progress {
  step<T>(title: string, run: (s: Step) => Promise<T>, done?: (result: T) => string): Promise<T>;
  line(text: string): void;
  readonly t0: number;
}

export function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function createProgress(
  out: NodeJS.WriteStream | { write(s: string): boolean; isTTY?: boolean } = process.stderr,
  t0 = Date.now(),
  /** True once the run is being stopped: a step that then fails is reported as cancelled, not as an error. */
  cancelled: () => boolean = () => false,
): Progress {
  const tty = Boolean(out.isTTY) && process.env.CI === undefined;
  const stamp = () => `[${secs(Date.now() - t0).padStart(8)}]`;
  return {
    t0,
    line(text) {
      out.write(`${stamp()} ${text}\n`);
    },
    async step(title, run, done) {
      const started = Date.now();
      let detail = "";
      let frame = 0;
      const timer = tty
        ? setInterval(() => {
            frame = (frame + 1) % FRAMES.length;
            const text = `${stamp()} ${FRAMES[frame]} ${title} ${secs(Date.now() - started)}${detail ? ` — ${detail}` : ""}`;
            out.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns ?? 120) - 1)}`);
          }, 100)
        : undefined;
      const clear = () => {
        if (timer) {
          clearInterval(timer);
          out.write("\r\x1b[2K");
        }
      };
      try {
        const result = await run({
          detail(text) {
            detail = text;
          },
        });
        clear();
        const extra = done ? done(result) : "";
        out.write(`${stamp()} ✓ ${title} (${secs(Date.now() - started)})${extra ? `: ${extra}` : ""}\n`);
        return result;
      } catch (err) {
        clear();
        out.write(`${stamp()} ${cancelled() ? "- cancelled:" : "✗"} ${title} (${secs(Date.now() - started)})\n`);
        throw err;
      }
    },
  };
}
