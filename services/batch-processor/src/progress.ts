// A progress bar on stderr when it is a terminal; one log line per 10% otherwise (CI, Airflow logs).
export interface Progress {
  tick(label: string): void;
  done(): void;
}

export function createProgress(total: number, title: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  let n = 0;
  let lastDecile = -1;
  const started = Date.now();
  const tty = stream.isTTY === true;
  return {
    tick(label) {
      n++;
      const pct = total === 0 ? 100 : Math.floor((n / total) * 100);
      if (tty) {
        const width = 30;
        const filled = Math.round((pct / 100) * width);
        const eta = n > 0 ? Math.round((((Date.now() - started) / n) * (total - n)) / 1000) : 0;
        stream.write(
          `\r${title} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${n}/${total} ${pct}% eta ${eta}s ${label.slice(0, 30).padEnd(30)}`,
        );
      } else if (Math.floor(pct / 10) > lastDecile) {
        lastDecile = Math.floor(pct / 10);
        stream.write(`${title}: ${n}/${total} (${pct}%)\n`);
      }
    },
    done() {
      if (tty) stream.write("\n");
    },
  };
}
