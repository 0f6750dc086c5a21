import type { KindAdapter } from '../adapter.js';

// Any other program: typed into, never read. Its rules are the fallback for every command no
// other kind matches, and the base of the kinds a user adds in `agentKinds:`.
export const generic: KindAdapter = { name: 'generic' };
