/** Prometheus metric types used here. */
export type MetricType = 'counter' | 'gauge' | 'histogram';

export type Labels = Readonly<Record<string, string>>;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): one HELP and
 * TYPE header per family, then its samples. Families must be declared before
 * their samples; a family is written once even if declared again.
 */
export class Exposition {
  private readonly lines: string[] = [];
  private readonly declared = new Set<string>();

  family(name: string, type: MetricType, help: string): this {
    if (this.declared.has(name)) return this;
    this.declared.add(name);
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, value: number, labels?: Labels): this {
    this.lines.push(name + formatLabels(labels) + ' ' + formatValue(value));
    return this;
  }

  /** A family with one sample: the common case. */
  metric(name: string, type: MetricType, help: string, value: number, labels?: Labels): this {
    return this.family(name, type, help).sample(name, value, labels);
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

function formatLabels(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length === 0 ? '' : '{' + parts.join(',') + '}';
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
