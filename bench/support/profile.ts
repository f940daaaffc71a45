// Reads a V8 CPU profile (inspector Profiler.stop): self time per function, top first, as a
// share of the busy time (idle samples, and the profiler's own Profiler.stop, left out).
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

type ProfileNode = CpuProfile['nodes'][number];

/** The busy samples: each with its node and the milliseconds it stands for. */
function busySamples(profile: CpuProfile): { node: ProfileNode; ms: number }[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const busy: { node: ProfileNode; ms: number }[] = [];
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id);
    if (!node) return;
    const { functionName, url } = node.callFrame;
    if (functionName === '(idle)' || (functionName === 'post' && url === 'node:inspector')) return;
    busy.push({ node, ms: (profile.timeDeltas[i] ?? 0) / 1000 });
  });
  return busy;
}

/** Time per key (a key of undefined is counted in the total only), as top shares. */
function shares(
  busy: { node: ProfileNode; ms: number }[],
  keyOf: (node: ProfileNode) => string | undefined,
  top: number,
): string[] {
  const byKey = new Map<string, number>();
  let total = 0;
  for (const { node, ms } of busy) {
    total += ms;
    const key = keyOf(node);
    if (key !== undefined) byKey.set(key, (byKey.get(key) ?? 0) + ms);
  }
  return [...byKey.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => `${((ms / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
}

export function summarizeProfile(profile: CpuProfile, top: number): string[] {
  return shares(
    busySamples(profile),
    ({ callFrame: { functionName, url, lineNumber } }) => {
      const where = url
        ? `${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/work\/main\//, '')}:${lineNumber + 1}`
        : '';
      return `${functionName || '(anonymous)'} ${where}`.trim();
    },
    top,
  );
}

/** Self time grouped by where the code lives: a package, a folder of src/, Node, or native. */
export function summarizeProfileByPackage(profile: CpuProfile, top: number): string[] {
  return shares(
    busySamples(profile),
    ({ callFrame: { functionName, url } }) => {
      const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
      const source = /\/work\/main\/((?:src|bench)\/[^/]+(?:\/[^/]+)?)/.exec(url)?.[1];
      if (pkg) return pkg;
      if (source) return source.replace(/\.ts$/, '');
      if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
      return functionName.startsWith('(') ? functionName : '(native: socket writes, crypto, …)';
    },
    top,
  );
}

/**
 * Who spends the native time: the samples of native frames (socket writes, crypto), each
 * charged to the nearest caller in a package or a folder of src/ (e.g. a socket write under
 * ioredis, postgres or Node's HTTP response).
 */
export function summarizeNativeCallers(profile: CpuProfile, top: number): string[] {
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const owner = (url: string) =>
    /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ??
    /\/work\/main\/((?:src|bench)\/[^/]+)/.exec(url)?.[1] ??
    (url.startsWith('node:') ? `node:${url.slice(5).split('/')[0]}` : undefined);
  return shares(
    busySamples(profile),
    (node) => {
      const { functionName, url } = node.callFrame;
      if (url || functionName.startsWith('(')) return undefined;
      // Walk up past Node's internals to the first package or source folder.
      let at = parent.get(node.id);
      let who: string | undefined;
      let via: string | undefined;
      while (at !== undefined && !who) {
        const name = owner(byNode.get(at)!.callFrame.url);
        if (name?.startsWith('node:')) via ??= name;
        else if (name) who = name;
        at = parent.get(at);
      }
      return `${functionName} ← ${who ?? '?'}${via ? ` (via ${via})` : ''}`;
    },
    top,
  );
}
