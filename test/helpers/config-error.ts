import assert from 'node:assert/strict';
import { isCmuxError, loadConfig } from '../../apps/core/src/index.ts';

// The message of the CMUX_ERR_CONFIG_INVALID that loading the configuration with `env` in `cwd`
// raises; fails the test when it loads.
export function configError(env: NodeJS.ProcessEnv, cwd: string): string {
  try {
    loadConfig({ env, cwd });
  } catch (error) {
    assert.ok(isCmuxError(error, 'CMUX_ERR_CONFIG_INVALID'), String(error));
    return error.message;
  }
  assert.fail('expected a configuration error');
}
