import type { ClusterClient } from '@gitops-kit/cluster';
import {
  GitOpsError,
  isGitOpsError,
  type JsonObject,
  type KubeObject,
  NotFoundError,
  ValidationError,
} from '@gitops-kit/core';
import { applicationView } from './application-view.js';

/** The operations the web view asks the operator for, as `gitops-kit-operator app` does. */
export type OperationRequest =
  | { kind: 'rollback'; id: number; prune: boolean }
  | { kind: 'sync'; prune: boolean }
  | { kind: 'refresh'; hard: boolean };

/** The actions the web view's forms post to (`/applications/ns/name/<action>`). */
export const OPERATION_ACTIONS = ['rollback', 'sync', 'refresh'] as const;

/** One of {@link OPERATION_ACTIONS}. */
export type OperationAction = (typeof OPERATION_ACTIONS)[number];

/** Whether `action` names one of {@link OPERATION_ACTIONS}. */
export function isOperationAction(action: string | undefined): action is OperationAction {
  return (OPERATION_ACTIONS as readonly string[]).includes(action ?? '');
}

/** The request a form of `action` asks for; a `ValidationError` for a bad history id. */
export function parseOperationRequest(action: OperationAction, form: URLSearchParams): OperationRequest {
  if (action === 'sync') return { kind: 'sync', prune: form.get('prune') === 'true' };
  if (action === 'refresh') return { kind: 'refresh', hard: form.get('hard') === 'true' };
  const idText = form.get('id') ?? '';
  if (!/^\d{1,9}$/.test(idText)) throw new ValidationError(`"${idText}" is not a history id`, { path: 'id' });
  return { kind: 'rollback', id: Number(idText), prune: form.get('prune') === 'true' };
}

/** `rollback to history id 0 with prune`, `sync`, `hard refresh`: for Events, logs and notices. */
export function describeOperationRequest(request: OperationRequest): string {
  switch (request.kind) {
    case 'rollback':
      return `rollback to history id ${request.id}${request.prune ? ' with prune' : ''}`;
    case 'sync':
      return `sync${request.prune ? ' with prune' : ''}`;
    case 'refresh':
      return `${request.hard ? 'hard ' : ''}refresh`;
  }
}

/** The `requested` body answered to JSON clients. */
export function requestedJson(request: OperationRequest): JsonObject {
  switch (request.kind) {
    case 'rollback':
      return { rollback: { id: request.id } };
    case 'sync':
      return { sync: { prune: request.prune } };
    case 'refresh':
      return { refresh: request.hard ? 'hard' : 'normal' };
  }
}

function operationOf(request: OperationRequest, username: string): JsonObject {
  const initiatedBy = { username };
  switch (request.kind) {
    case 'rollback':
      return { rollback: request.prune ? { id: request.id, prune: true } : { id: request.id }, initiatedBy };
    case 'sync':
      return { sync: request.prune ? { prune: true } : {}, initiatedBy };
    case 'refresh':
      return { refresh: request.hard ? 'hard' : 'normal', initiatedBy };
  }
}

/**
 * Sets `operation` on the Application for the operator to carry out, recorded as initiated by
 * `username` (`operation.initiatedBy.username`, as Argo CD). Refused with a conflict while another
 * operation is pending; a rollback's history id must exist. The operator may write status between
 * the read and the write (a conflict on resourceVersion): the Application is read again and
 * checked again, so an operation someone else set is never overwritten. Answers the Application
 * as written.
 */
export async function requestOperation(
  client: ClusterClient,
  read: () => Promise<KubeObject>,
  request: OperationRequest,
  username: string,
): Promise<KubeObject> {
  for (let attempt = 1; ; attempt++) {
    const app = await read();
    const view = applicationView(app);
    if (view.pendingOperation) {
      throw new GitOpsError('CONFLICT', `an operation is already pending: ${view.pendingOperation}`);
    }
    if (request.kind === 'rollback' && !view.history.some((h) => h.id === request.id)) {
      const known = view.history.map((h) => h.id);
      throw new NotFoundError(
        `history id ${request.id} does not exist; known ids: ${known.length > 0 ? known.join(', ') : 'none'}`,
        { path: 'id' },
      );
    }
    try {
      return await client.update({ ...app, operation: operationOf(request, username) });
    } catch (err) {
      if (!isGitOpsError(err, 'CONFLICT') || attempt >= 3) throw err;
    }
  }
}
