export { buildDashboard, isDashboardStale, type BuildResult } from './build.js';
