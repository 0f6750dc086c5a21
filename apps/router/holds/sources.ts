import type { CmuxConfig } from '../../core/src/config/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { budgetSource } from './budget-source.js';
import { holdsFileSource } from './file-source.js';
import type { HoldSource } from './index.js';

// Every source of holds the router asks, first to last (the first that holds an agent gives
// the reason its messages show). Add a source here.
export function holdSources(config: CmuxConfig, logger: Logger): HoldSource[] {
  return [holdsFileSource(config.home, logger), budgetSource(config, logger)];
}
