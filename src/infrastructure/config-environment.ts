/** Configuration from environment variables: one RAT_<SECTION>_<KEY> per schema key. */

/** The schema without its env names: convict would re-read the environment on every load() and let it beat CLI flags. */
export function withoutEnv<T extends object>(tree: T): T {
  const out: Record<string, unknown> = {};
  for (const [section, keys] of Object.entries(tree)) {
    out[section] = Object.fromEntries(
      Object.entries(keys as Record<string, Record<string, unknown>>).map(([k, spec]) => {
        const { env: _env, ...rest } = spec;
        return [k, rest];
      }),
    );
  }
  return out as T;
}

/** The key a variable sets, and its format (to coerce the text). */
export interface EnvironmentKey {
  section: string;
  key: string;
  format: unknown;
}

/** Every environment variable a convict schema (section -> key -> spec with `env`) reads. */
export function keysReadFromEnvironment(schema: object): Map<string, EnvironmentKey> {
  const out = new Map<string, EnvironmentKey>();
  for (const [section, keys] of Object.entries(schema)) {
    for (const [key, spec] of Object.entries(keys as Record<string, { env: string; format: unknown }>))
      out.set(spec.env, { section, key, format: spec.format });
  }
  return out;
}

/** RAT_* variables in `env` that none of `known` is. */
export function unknownVariables(known: Map<string, EnvironmentKey>, env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('RAT_') && !known.has(name))
    .sort()
    .map((name) => `${name}: unknown environment variable (no configuration key reads it; docs/configuration.md lists them)`);
}

/** The settings `env` gives, as an override tree; a value of the wrong form is a problem, never a default. */
export function envOverrides(known: Map<string, EnvironmentKey>, env: NodeJS.ProcessEnv, problems: string[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, { section, key, format }] of known) {
    const raw = env[name];
    if (raw === undefined) continue;
    const value = coerce(raw, format);
    if (value === undefined) problems.push(`${name}=${JSON.stringify(raw)}: ${section}.${key} expects ${expected(format)}`);
    else (out[section] ??= {})[key] = value;
  }
  return out;
}

/** Booleans: convict's true/false (any case), and 1/0; anything else is refused, never read as false. */
function coerce(raw: string, format: unknown): unknown {
  if (format === Boolean) {
    const t = raw.trim().toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
    return undefined;
  }
  if (format === 'nat' || format === 'port') return /^\s*\d+\s*$/.test(raw) ? Number(raw) : undefined;
  if (format === 'int') return /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : undefined;
  if (format === Array) return raw.split(',').filter((x) => x.length > 0);
  return raw;
}

function expected(format: unknown): string {
  if (format === Boolean) return 'true or false (or 1 or 0)';
  if (format === 'port') return 'a port number';
  if (format === 'int') return 'a whole number (may be negative)';
  return 'a whole number';
}
