// Trade arrival times: a Poisson process whose rate switches between calm and bursts (a two-state Markov-modulated
// Poisson process). Calm and burst spells last exponentially distributed times; the base rate is scaled so that
// the long-run mean rate is the one asked for.

export interface BurstOptions {
  /** Rate in a burst / rate when calm. */
  factor: number;
  /** Mean length of a calm spell and of a burst, ms. */
  meanCalmMs: number;
  meanBurstMs: number;
}

export const DEFAULT_BURSTS: BurstOptions = { factor: 8, meanCalmMs: 10_000, meanBurstMs: 1_000 };
/** A plain Poisson process at the mean rate (for steady-rate measurements). */
export const NO_BURSTS: BurstOptions = { factor: 1, meanCalmMs: 10_000, meanBurstMs: 1_000 };

/** An exponential draw with the given mean (1 - u keeps the log finite). */
export function exponential(mean: number, next: () => number): number {
  return -Math.log(1 - next()) * mean;
}

export class Arrivals {
  private readonly next: () => number;
  private readonly calmRatePerMs: number;
  private readonly bursts: BurstOptions;
  /** Time of the next arrival, epoch ms (fractional: arrivals are rounded when stamped). */
  private t: number;
  private burst = false;
  private switchAt: number;

  constructor(ratePerSecond: number, start: number, next: () => number, bursts: BurstOptions = DEFAULT_BURSTS) {
    if (!(ratePerSecond > 0)) throw new Error(`arrival rate must be > 0, got ${ratePerSecond}`);
    this.next = next;
    this.bursts = bursts;
    const pBurst = bursts.meanBurstMs / (bursts.meanCalmMs + bursts.meanBurstMs);
    this.calmRatePerMs = ratePerSecond / 1_000 / (1 - pBurst + pBurst * bursts.factor);
    this.t = start;
    this.switchAt = start + exponential(bursts.meanCalmMs, next);
    this.advance();
  }

  /** The time of the next arrival (not consumed). */
  peek(): number {
    return this.t;
  }

  /** Whether the process is in a burst at the next arrival. */
  get bursting(): boolean {
    return this.burst;
  }

  /** Consumes the next arrival and draws the one after; returns the consumed time. */
  take(): number {
    const at = this.t;
    this.advance();
    return at;
  }

  private advance(): void {
    // Memoryless: an inter-arrival that crosses a regime switch restarts from the switch at the new rate.
    for (;;) {
      const rate = this.burst ? this.calmRatePerMs * this.bursts.factor : this.calmRatePerMs;
      const candidate = this.t + exponential(1 / rate, this.next);
      if (candidate <= this.switchAt) {
        this.t = candidate;
        return;
      }
      this.t = this.switchAt;
      this.burst = !this.burst;
      this.switchAt += exponential(this.burst ? this.bursts.meanBurstMs : this.bursts.meanCalmMs, this.next);
    }
  }
}
