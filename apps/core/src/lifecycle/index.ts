export { runApp, once, type AppHandle, type AppFactory } from './run-app.js';
export { scheduleEvery, type Schedule } from './schedule.js';
