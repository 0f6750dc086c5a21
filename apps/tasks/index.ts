export { TASK_STATUSES, taskStatusSchema, newTaskSchema, taskChangeSchema, type Task, type TaskStatus } from './schema.js';
export { openTasks, type TaskStore } from './store.js';
export { addTask, assignTask, getTask, listTasks, reportOnTask, taskToReport, updateTask, type Board } from './board.js';
export { reportToSupervisor, type Report, type ReportKind } from './report.js';
