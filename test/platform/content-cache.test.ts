// The content cache: a hit needs neither the source nor a second read of the store (entries
// are kept parsed per process under their version), a new version is read from the source
// everywhere, and a store that fails never serves stale content.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createContentCache } from '../../src/platform/cache/content-cache.ts';
import { memoryStore, type KeyValueStore } from '../../src/platform/cache/kv.ts';

/** The store, counting the reads that reach it. */
function countingStore(inner: KeyValueStore) {
  const reads: string[] = [];
  const store: KeyValueStore = {
    ...inner,
    get: (key) => {
      reads.push(key);
      return inner.get(key);
    },
  };
  return { store, reads };
}

function source() {
  const state = { version: 1, content: 'first', loads: 0 };
  return {
    state,
    load: async () => {
      state.loads++;
      return { content: state.content };
    },
  };
}

const cacheOver = (kv: KeyValueStore, version: () => number) =>
  createContentCache({
    name: 'test',
    kv,
    log: pino({ level: 'silent' }),
    ttlSeconds: 600,
    loadVersion: async () => version(),
  });

describe('content cache', () => {
  it('answers a repeated read from process memory, asking the store only for the version', async () => {
    const { store, reads } = countingStore(memoryStore());
    const { state, load } = source();
    const cache = cacheOver(store, () => state.version);
    expect(await cache.get('tool:1:es', load)).toEqual({
      value: { content: 'first' },
      version: 1,
      hit: false,
    });
    reads.length = 0;
    expect(await cache.get('tool:1:es', load)).toEqual({
      value: { content: 'first' },
      version: 1,
      hit: true,
    });
    expect(state.loads).toBe(1);
    expect(reads).toEqual(['test:version']);
  });

  it('reads the source again once a new version is published, in every process', async () => {
    const shared = memoryStore();
    const { state, load } = source();
    const [one, two] = [
      cacheOver(shared, () => state.version),
      cacheOver(shared, () => state.version),
    ];
    await one.get('tool:1:es', load);
    await two.get('tool:1:es', load);
    expect(state.loads).toBe(1); // the second process found it in the shared store
    state.version = 2;
    state.content = 'second';
    await one.publish(2);
    expect((await two.get('tool:1:es', load)).value).toEqual({ content: 'second' });
    expect((await one.get('tool:1:es', load)).value).toEqual({ content: 'second' });
    expect(state.loads).toBe(2);
  });

  it('reads the version from the source when the store restarted empty, and serves it', async () => {
    const store = memoryStore();
    const { state, load } = source();
    const cache = cacheOver(store, () => state.version);
    await cache.get('tool:1:es', load);
    // The content changed and the store lost everything (a restart) before it heard of it.
    state.version = 2;
    state.content = 'second';
    for (const key of ['test:version', 'test:v1:tool:1:es']) await store.del(key);
    expect(await cache.get('tool:1:es', load)).toEqual({
      value: { content: 'second' },
      version: 2,
      hit: false,
    });
    expect(await store.get('test:version')).toBe('2');
  });

  it('never serves stale content while the store fails: the version comes from the source', async () => {
    const failing: KeyValueStore = {
      shared: true,
      get: () => Promise.reject(new Error('store down')),
      set: () => Promise.reject(new Error('store down')),
      del: () => Promise.reject(new Error('store down')),
      exists: () => Promise.reject(new Error('store down')),
    };
    const { state, load } = source();
    const cache = cacheOver(failing, () => state.version);
    expect((await cache.get('tool:1:es', load)).value).toEqual({ content: 'first' });
    expect((await cache.get('tool:1:es', load)).hit).toBe(true);
    state.version = 2;
    state.content = 'second';
    expect(await cache.get('tool:1:es', load)).toEqual({
      value: { content: 'second' },
      version: 2,
      hit: false,
    });
  });
});
