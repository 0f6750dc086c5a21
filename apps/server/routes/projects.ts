import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AgentDeps } from '../../agents/index.js';
import { listProjects } from '../../projects/index.js';
import { addProject, removeProject } from '../../projects/manage.js';
import { projectSchemas as schema } from './projects.schema.js';

// The projects (CONTRACT §3): each a root folder with its own supervisor.
export const projectRoutes: FastifyPluginAsyncZod<{ agents: AgentDeps }> = async (app, { agents }) => {
  app.get('/api/projects', async () => listProjects(agents.config));
  app.post('/api/projects', { schema: schema.add }, async (request, reply) => reply.code(201).send(await addProject(agents, request.body)));
  app.delete('/api/projects/:name', { schema: schema.remove }, async (request) => removeProject(agents, request.params.name, request.query.force));
};
