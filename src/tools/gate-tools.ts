/** confirm_action, list_pending_actions, cancel_pending_action: the token side of the gate. */
import type { ToolRegistry } from './registry.js';
import { z } from 'zod';
import type { Gate } from '../pipeline/gate.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { confirmationError } from '../errors.js';
import { fail, ok } from './envelope.js';

export function registerGateTools(server: ToolRegistry, gate: Gate, pipeline: Pipeline): void {
  server.registerTool(
    'confirm_action',
    {
      title: 'Confirm pending action',
      description:
        'Execute a pending action once the USER has typed CONFIRM. Never confirm on your own: show the summary and ' +
        'wait for the user.',
      inputSchema: z.strictObject({
        token: z.string().min(1).max(200).describe('From the confirmation_required result'),
        confirmation: z.string().max(100).describe('Exactly what the user typed; must be CONFIRM'),
      }),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    ({ token, confirmation }, { session }) => pipeline.confirm(token, confirmation, session.principal),
  );

  server.registerTool(
    'list_pending_actions',
    {
      title: 'List pending actions',
      description: "Actions awaiting the user's CONFIRM.",
      inputSchema: z.strictObject({}),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (_args, { session }) => ok({ pending: gate.list(session.principal) }),
  );

  server.registerTool(
    'cancel_pending_action',
    {
      title: 'Cancel pending action',
      description: 'Drop a pending action.',
      inputSchema: z.strictObject({ token: z.string().min(1).max(200) }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ token }, { session }) => {
      const action = gate.cancel(token, session.principal);
      return action
        ? ok({ cancelled: true, summary: action.summary })
        : fail(confirmationError('Unknown, used or expired token; nothing to cancel.'));
    },
  );
}
