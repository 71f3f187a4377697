import cliProgress from 'cli-progress';

const MIB = 1024 * 1024;

function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}

/**
 * A transfer's progress bar (on a terminal only: cli-progress draws nothing
 * when stderr is a pipe) and its one-line summary with the throughput.
 */
export class TransferProgress {
  private readonly bar: cliProgress.SingleBar | undefined;
  private readonly startedAt = process.hrtime.bigint();
  private bytes = 0;

  constructor(
    private readonly label: string,
    private readonly out: NodeJS.WriteStream,
    private readonly quiet: boolean,
  ) {
    if (!quiet) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: out,
          format: `${label} [{bar}] {percentage}% | {doneMiB}/{totalMiB} MiB | {speed} MiB/s | ETA {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
    }
  }

  begin(totalBytes: number): void {
    this.bar?.start(totalBytes, 0, { doneMiB: mib(0), totalMiB: mib(totalBytes), speed: '0.0' });
  }

  update(bytes: number): void {
    this.bytes = bytes;
    this.bar?.update(bytes, { doneMiB: mib(bytes), speed: mib(bytes / Math.max(this.seconds(), 1e-3)) });
  }

  /** Stops the bar; prints "LABEL: N bytes in S s (X MiB/s)" unless quiet. */
  finish(): void {
    this.bar?.stop();
    if (this.quiet) return;
    const s = this.seconds();
    this.out.write(`${this.label}: ${this.bytes} bytes in ${s.toFixed(2)} s (${mib(this.bytes / Math.max(s, 1e-3))} MiB/s)\n`);
  }

  /** Stops the bar without a summary (the transfer failed). */
  abort(): void {
    this.bar?.stop();
  }

  private seconds(): number {
    return Number(process.hrtime.bigint() - this.startedAt) / 1e9;
  }
}
