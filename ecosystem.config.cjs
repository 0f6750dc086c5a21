// PM2 loads ecosystem files with a plain require() and knows no .ts: register tsx's CommonJS
// hook, then hand PM2 the typed ecosystem.config.ts.
require('tsx/cjs');
let mod;
try {
  mod = require('./ecosystem.config.ts');
} catch (error) {
  // A bad configuration is the user's to fix: say which key and file, not a stack trace.
  if (error && error.code === 'CMUX_ERR_CONFIG_INVALID') {
    console.error(`cmux: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
const config = mod.default ?? mod;
for (const app of config.apps) app.cwd ??= __dirname;
module.exports = config;
