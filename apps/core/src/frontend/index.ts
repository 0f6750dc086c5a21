export { BUILD_INFO, buildDashboard, dashboardSourcesChangedAt, isDashboardStale, type BuildInfo, type BuildResult } from './build.js';
export { describeFrontend, frontendStateFile, healRequestFile, readFrontendState, writeFrontendState, type FrontendState } from './state.js';
export { checkInBrowser, checkOnDisk, checkServed, referencedAssets, type DiskCheck, type ServedCheck } from './checks.js';
