/** Limits for a shrink: replays are real round trips, so they are bounded. */
export interface ShrinkBudget {
  readonly maxTests: number;
  readonly deadlineMs: number;
}

export interface ShrinkResult<T> {
  readonly items: readonly T[];
  readonly tests: number;
  /** False when the budget ran out before the result was proven 1-minimal. */
  readonly minimal: boolean;
}

/**
 * Delta debugging (Zeller's ddmin): finds a subsequence of `items` that still
 * makes `fails` true and from which no single item can be removed. `items`
 * must fail to begin with. `mustKeepLast` pins the final item (the request
 * whose reply differed) so every candidate still ends with it.
 */
export async function shrink<T>(
  items: readonly T[],
  fails: (candidate: readonly T[]) => Promise<boolean>,
  budget: ShrinkBudget,
  mustKeepLast = true,
): Promise<ShrinkResult<T>> {
  const deadline = Date.now() + budget.deadlineMs;
  const pinned = mustKeepLast && items.length > 0 ? [items[items.length - 1] as T] : [];
  let current = mustKeepLast ? items.slice(0, -1) : items.slice();
  let tests = 0;
  const outOfBudget = (): boolean => tests >= budget.maxTests || Date.now() > deadline;
  const test = async (candidate: readonly T[]): Promise<boolean> => {
    tests += 1;
    return fails([...candidate, ...pinned]);
  };

  // Cheapest first: maybe the pinned request alone reproduces it.
  if (current.length > 0 && !outOfBudget() && (await test([]))) {
    return { items: pinned, tests, minimal: true };
  }

  let granularity = 2;
  while (current.length >= 2) {
    if (outOfBudget()) return { items: [...current, ...pinned], tests, minimal: false };
    const chunks = split(current, Math.min(granularity, current.length));
    let reduced = false;

    // Try each chunk alone, then each complement.
    if (chunks.length > 2) {
      for (const chunk of chunks) {
        if (outOfBudget()) break;
        if (await test(chunk)) {
          current = chunk;
          granularity = 2;
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      for (let i = 0; i < chunks.length; i += 1) {
        if (outOfBudget()) break;
        const complement = chunks.filter((_, j) => j !== i).flat();
        if (await test(complement)) {
          current = complement;
          granularity = Math.max(granularity - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (outOfBudget()) return { items: [...current, ...pinned], tests, minimal: false };
      if (granularity >= current.length) break;
      granularity = Math.min(current.length, granularity * 2);
    }
  }
  return { items: [...current, ...pinned], tests, minimal: true };
}

function split<T>(items: readonly T[], parts: number): T[][] {
  const chunks: T[][] = [];
  let start = 0;
  for (let i = 0; i < parts; i += 1) {
    const end = start + Math.ceil((items.length - start) / (parts - i));
    chunks.push(items.slice(start, end));
    start = end;
  }
  return chunks;
}
