import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authOf } from '../../http/auth-hook.ts';
import { errorResponses } from '../../http/schemas.ts';
import { CreateProjectBody, ListProjectsQuery, Project, ProjectPage, ProjectParams, UpdateProjectBody } from './projects.schemas.ts';
import type { ProjectsService } from './projects.service.ts';

/** Projects and their limits: anyone with read sees them, only admins change them. */
export const projectsRoutes: FastifyPluginAsyncTypebox<{ projects: ProjectsService }> = async (app, { projects }) => {
  const tags = ['projects'];

  app.post('/projects', {
    config: { scope: 'admin' },
    schema: { tags, summary: 'Create a project with its run limits', body: CreateProjectBody, response: { 201: Project, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await projects.create(authOf(request), request.body)));

  app.get('/projects', {
    config: { scope: 'read' },
    schema: { tags, summary: 'List projects by id', querystring: ListProjectsQuery, response: { 200: ProjectPage, ...errorResponses } },
  }, async (request) => projects.list(authOf(request), request.query.limit, request.query.offset));

  app.get('/projects/:id', {
    config: { scope: 'read' },
    schema: { tags, summary: 'Get a project', params: ProjectParams, response: { 200: Project, ...errorResponses } },
  }, async (request) => projects.get(authOf(request), request.params.id));

  app.patch('/projects/:id', {
    config: { scope: 'admin' },
    schema: { tags, summary: 'Rename a project or replace its limits', params: ProjectParams, body: UpdateProjectBody, response: { 200: Project, ...errorResponses } },
  }, async (request) => projects.update(authOf(request), request.params.id, request.body));
};
