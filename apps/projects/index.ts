export { DEFAULT_PROJECT, projectNameSchema, type Project } from './schema.js';
export { listProjects, getProject, projectForSpawn, supervisorOf } from './resolve.js';
export { projectsFile, readProjects } from './store.js';
