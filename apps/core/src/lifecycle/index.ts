export { runApp, once, type AppHandle, type AppFactory } from './run-app.js';
export { createIdleApp } from './idle-app.js';
