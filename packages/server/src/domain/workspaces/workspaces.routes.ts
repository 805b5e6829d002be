import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authOf } from '../../http/auth-hook.ts';
import { errorResponses } from '../../http/schemas.ts';
import {
  AddMemberBody, AddWorkUnitBody, CreateWorkspaceBody, ListWorkspacesQuery, ListWorkUnitsQuery, Member, MemberPage, MemberParams,
  PageQueryOnly, UpdateMemberBody, UpdateWorkspaceBody, Workspace, WorkspacePage, WorkspaceParams, WorkspaceWorkUnit, WorkUnitPage,
  WorkUnitParams,
} from './workspaces.schemas.ts';
import type { WorkspacesService } from './workspaces.service.ts';

const WorkspaceRef = Type.Ref(Workspace);
const MemberRef = Type.Ref(Member);
const UnitRef = Type.Ref(WorkspaceWorkUnit);
const tags = ['workspaces'];
const noContent = { 204: Type.Null(), ...errorResponses };

/**
 * Seed 000's workspaces. The scope only authenticates (read for GETs, ingest for writes); the
 * workspace role is checked by the service (permissions.ts), and a non-member gets 404.
 */
export const workspacesRoutes: FastifyPluginAsyncTypebox<{ workspaces: WorkspacesService }> = async (app, { workspaces }) => {
  app.addSchema(Workspace);
  app.addSchema(Member);
  app.addSchema(WorkspaceWorkUnit);

  app.post('/workspaces', {
    config: { scope: 'ingest' },
    schema: { tags, summary: 'Create a workspace; the calling user becomes its owner', body: CreateWorkspaceBody, response: { 201: WorkspaceRef, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await workspaces.create(authOf(request), request.body)));

  app.get('/workspaces', {
    config: { scope: 'read' },
    schema: { tags, summary: "The caller's workspaces (all of them for tenant admins), newest first", querystring: ListWorkspacesQuery, response: { 200: WorkspacePage, ...errorResponses } },
  }, async (request) => workspaces.list(authOf(request), request.query));

  app.get('/workspaces/:id', {
    config: { scope: 'read' },
    schema: { tags, summary: 'Get a workspace', params: WorkspaceParams, response: { 200: WorkspaceRef, ...errorResponses } },
  }, async (request) => workspaces.get(authOf(request), request.params.id));

  app.patch('/workspaces/:id', {
    config: { scope: 'ingest' },
    schema: { tags, summary: 'Update a workspace (admin)', params: WorkspaceParams, body: UpdateWorkspaceBody, response: { 200: WorkspaceRef, ...errorResponses } },
  }, async (request) => workspaces.update(authOf(request), request.params.id, request.body));

  app.delete('/workspaces/:id', {
    config: { scope: 'ingest' },
    schema: { tags, summary: 'Delete a workspace with its members and work units (owner)', params: WorkspaceParams, response: noContent },
  }, async (request, reply) => {
    await workspaces.remove(authOf(request), request.params.id);
    return reply.status(204).send(null);
  });

  app.post('/workspaces/:id/members', {
    config: { scope: 'ingest' },
    schema: { tags, summary: 'Add a user of the tenant (admin; owner to add an owner)', params: WorkspaceParams, body: AddMemberBody, response: { 201: MemberRef, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await workspaces.addMember(authOf(request), request.params.id, request.body)));

  app.get('/workspaces/:id/members', {
    config: { scope: 'read' },
    schema: { tags, summary: 'Members, owners first', params: WorkspaceParams, querystring: PageQueryOnly, response: { 200: MemberPage, ...errorResponses } },
  }, async (request) => workspaces.listMembers(authOf(request), request.params.id, request.query));

  app.get('/workspaces/:id/members/:user_id', {
    config: { scope: 'read' },
    schema: { tags, summary: 'Get a member', params: MemberParams, response: { 200: MemberRef, ...errorResponses } },
  }, async (request) => workspaces.getMember(authOf(request), request.params.id, request.params.user_id));

  app.patch('/workspaces/:id/members/:user_id', {
    config: { scope: 'ingest' },
    schema: { tags, summary: "Change a member's role, constraints or department (admin; owner for the owner role); 409 demoting the last owner", params: MemberParams, body: UpdateMemberBody, response: { 200: MemberRef, ...errorResponses } },
  }, async (request) => workspaces.updateMember(authOf(request), request.params.id, request.params.user_id, request.body));

  app.delete('/workspaces/:id/members/:user_id', {
    config: { scope: 'ingest' },
    schema: { tags, summary: 'Remove a member (admin; owner for an owner; anyone may leave); 409 for the last owner', params: MemberParams, response: noContent },
  }, async (request, reply) => {
    await workspaces.removeMember(authOf(request), request.params.id, request.params.user_id);
    return reply.status(204).send(null);
  });

  app.post('/workspaces/:id/work-units', {
    config: { scope: 'ingest' },
    schema: { tags, summary: 'Add a registered work unit (admin); records a delegation activity', params: WorkspaceParams, body: AddWorkUnitBody, response: { 201: UnitRef, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await workspaces.addWorkUnit(authOf(request), request.params.id, request.body)));

  app.get('/workspaces/:id/work-units', {
    config: { scope: 'read' },
    schema: { tags, summary: "The workspace's work units, oldest first", params: WorkspaceParams, querystring: ListWorkUnitsQuery, response: { 200: WorkUnitPage, ...errorResponses } },
  }, async (request) => workspaces.listWorkUnits(authOf(request), request.params.id, request.query));

  app.get('/workspaces/:id/work-units/:work_unit_id', {
    config: { scope: 'read' },
    schema: { tags, summary: 'Get a work unit of the workspace', params: WorkUnitParams, response: { 200: UnitRef, ...errorResponses } },
  }, async (request) => workspaces.getWorkUnit(authOf(request), request.params.id, request.params.work_unit_id));

  app.delete('/workspaces/:id/work-units/:work_unit_id', {
    config: { scope: 'ingest' },
    schema: { tags, summary: 'Remove a work unit from the workspace (admin)', params: WorkUnitParams, response: noContent },
  }, async (request, reply) => {
    await workspaces.removeWorkUnit(authOf(request), request.params.id, request.params.work_unit_id);
    return reply.status(204).send(null);
  });
};
