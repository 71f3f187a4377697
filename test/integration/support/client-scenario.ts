/**
 * Runs one client-level scenario and records every outcome as plain data,
 * so that the record from the reference and the record from the target can
 * be compared with deep equality. cas tokens are renamed in first-seen order.
 */
export class OutcomeLog {
  readonly entries: Array<[string, unknown]> = [];
  private readonly casNames = new Map<string, string>();

  record(label: string, outcome: unknown): void {
    this.entries.push([label, outcome]);
  }

  /** Stable name for a server's cas token. */
  cas(token: unknown): string {
    const key = String(token);
    let name = this.casNames.get(key);
    if (name === undefined) {
      name = `cas#${this.casNames.size}`;
      this.casNames.set(key, name);
    }
    return name;
  }

  /** Runs `action`, recording its result or its error message. */
  async step(label: string, action: () => Promise<unknown>): Promise<unknown> {
    try {
      const result = await action();
      this.record(label, result);
      return result;
    } catch (error) {
      this.record(label, { error: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  }
}
