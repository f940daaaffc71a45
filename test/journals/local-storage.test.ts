import { journalSuite } from './suite.ts';

// Local directory storage under DATA_DIR/objects (the embedded default).
journalSuite('local', async () => ({ env: {}, close: async () => {} }));
