export { PACKAGE_NAME, REPO_ROOT } from './root.js';
export { homePaths, type HomePaths } from './home.js';
export { ensureOwnHome } from './own-home.js';
export { assertHomeTree } from './home-tree.js';
