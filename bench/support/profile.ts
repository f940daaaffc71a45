// Reads a V8 CPU profile (inspector Profiler.stop): self time per function, top first, as a
// share of the busy time (idle samples, and the profiler's own Profiler.stop, left out).
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  samples: number[];
  timeDeltas: number[];
}

export function summarizeProfile(profile: CpuProfile, top: number): string[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || (functionName === 'post' && url === 'node:inspector')) {
      total -= ms;
      return;
    }
    const where = url
      ? `${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/work\/main\//, '')}:${lineNumber + 1}`
      : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    selfMs.set(key, (selfMs.get(key) ?? 0) + ms);
  });
  return [...selfMs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => `${((ms / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
}

/** Self time grouped by where the code lives: a package, a folder of src/, Node, or native. */
export function summarizeProfileByPackage(profile: CpuProfile, top: number): string[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node) return;
    const { functionName, url } = node.callFrame;
    if (functionName === '(idle)' || (functionName === 'post' && url === 'node:inspector')) return;
    total += ms;
    const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
    const source = /\/work\/main\/((?:src|bench)\/[^/]+(?:\/[^/]+)?)/.exec(url)?.[1];
    const key = pkg
      ? pkg
      : source
        ? source.replace(/\.ts$/, '')
        : url.startsWith('node:')
          ? `node:${url.slice(5).split('/').slice(0, 2).join('/')}`
          : functionName.startsWith('(')
            ? functionName
            : '(native: socket writes, crypto, …)';
    selfMs.set(key, (selfMs.get(key) ?? 0) + ms);
  });
  return [...selfMs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => `${((ms / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
}

/**
 * Who spends the native time: the samples of native frames (socket writes, crypto), each
 * charged to the nearest caller in a package or a folder of src/ (e.g. a socket write under
 * ioredis, postgres or Node's HTTP response).
 */
export function summarizeNativeCallers(profile: CpuProfile, top: number): string[] {
  const nodes = profile.nodes as (CpuProfile['nodes'][number] & { children?: number[] })[];
  const parent = new Map<number, number>();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byNode = new Map(nodes.map((n) => [n.id, n]));
  const owner = (url: string) =>
    /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ??
    /\/work\/main\/((?:src|bench)\/[^/]+)/.exec(url)?.[1] ??
    (url.startsWith('node:') ? `node:${url.slice(5).split('/')[0]}` : undefined);
  const charged = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node) return;
    const { functionName, url } = node.callFrame;
    if (functionName === '(idle)' || (functionName === 'post' && url === 'node:inspector')) return;
    total += ms;
    if (url || functionName.startsWith('(')) return;
    // Walk up past Node's internals to the first package or source folder.
    let at: number | undefined = parent.get(id);
    let who: string | undefined;
    let via: string | undefined;
    while (at !== undefined && !who) {
      const frame = byNode.get(at)!.callFrame;
      const name = owner(frame.url);
      if (name?.startsWith('node:')) via ??= name;
      else if (name) who = name;
      at = parent.get(at);
    }
    const key = `${functionName} ← ${who ?? '?'}${via ? ` (via ${via})` : ''}`;
    charged.set(key, (charged.get(key) ?? 0) + ms);
  });
  return [...charged.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => `${((ms / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
}
