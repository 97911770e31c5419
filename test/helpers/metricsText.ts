// Reading GET /metrics (Prometheus text) in tests.

/** The value of one sample, e.g. metric(text, 'roomtone_packets_total', '{direction="in"}'); 0 when absent, as a counter never incremented is. */
export function metric(text: string, name: string, labels = ''): number {
  const escaped = (name + labels).replace(/[{}()[\]."+*?^$|\\]/g, '\\$&');
  const m = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** Every sample of a metric with one label, as {label value: number}. */
export function samples(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(new RegExp(`^${name}\\{${label}="([^"]*)"\\} (\\S+)$`, 'gm'))) out[m[1]] = Number(m[2]);
  return out;
}
