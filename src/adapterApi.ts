/**
 * The one internal module the runtime adapters (`runtimes/*`) may import besides the public entry
 * points (`lean.ts`, `index.ts`): what an adapter needs of the engine that an application does
 * not. Adapters build on the client's own state through it rather than keeping a copy.
 */
export { clientInternals, type ClientInternals } from './client.js';
export { longLivedParts } from './data/longLived.js';
export { InMemoryPersistentStore } from './data/persistentStore.js';
export { storeViewFor } from './data/storeView.js';
export { TestData } from './data/testData.js';
export { timedOut } from './timers.js';
