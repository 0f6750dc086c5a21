import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AgentDeps } from '../../agents/index.js';
import { listProjects } from '../../projects/index.js';
import { addProject, removeProject } from '../../projects/manage.js';
import { parse } from '../validate.js';

const projectBody = z.strictObject({
  name: z.string().min(1).max(64).optional(),
  root: z.string().min(1).max(4096),
  branch: z.string().min(1).max(200).optional(),
});
const nameParams = z.object({ name: z.string().min(1).max(64) });
const removeQuery = z.object({ force: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1').optional() });

// The projects (CONTRACT §3): each a root folder with its own supervisor.
export const projectRoutes: FastifyPluginAsync<{ agents: AgentDeps }> = async (app, { agents }) => {
  app.get('/api/projects', async () => listProjects(agents.config));

  app.post('/api/projects', async (request, reply) => {
    const body = parse(projectBody, request.body);
    return reply.code(201).send(await addProject(agents, body));
  });

  app.delete('/api/projects/:name', async (request) => {
    const { name } = parse(nameParams, request.params, 'name');
    const { force } = parse(removeQuery, request.query, 'query');
    return removeProject(agents, name, force ?? false);
  });
};
