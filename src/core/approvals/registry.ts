/**
 * @module approvals/registry
 * Action plug-ins, checked once at registration against the policy floors (DESIGN §6), so a
 * misconfiguration stops start-up instead of quietly weakening the two-person rule.
 */
import { CoreError, ErrorCode } from '../errors.js';
import { policyFor } from './policy.js';
import type { ActionDefinition } from './types.js';

/** A registered action with its defaults resolved. */
export interface RegisteredAction {
  definition: ActionDefinition<Record<string, unknown>>;
  approvalsRequired: number;
  ttlMs: number;
}

const NAME = /^[a-z][a-z0-9-]{0,31}$/;

export class ActionRegistry {
  readonly #actions = new Map<string, RegisteredAction>();

  /** Throws CoreError `config_invalid` naming the rule that was broken. */
  register<P extends object>(action: ActionDefinition<P>): RegisteredAction {
    const { name } = action;
    if (!NAME.test(name)) {
      throw invalid(`Action name "${name}" is not allowed; use lower-case letters, digits and hyphens, e.g. "restore".`);
    }
    if (this.#actions.has(name)) throw invalid(`Action "${name}" is registered twice; register each action once.`);
    const policy = policyFor(name);
    const { approvalsRequired = policy.approvalsRequired, ttlMs = policy.ttlMs } = action;
    if (!Number.isInteger(approvalsRequired) || approvalsRequired < policy.lowestAllowed) {
      throw invalid(
        `Action "${name}" asks for ${approvalsRequired} approvals; the lowest allowed is ${policy.lowestAllowed} ` +
          `(default ${policy.approvalsRequired}).`,
      );
    }
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw invalid(`Action "${name}" has expiry ${ttlMs} ms; use a positive number of milliseconds, e.g. 1800000.`);
    }
    // Stored type-erased: params come back from the database as plain JSON of the shape frozen at request time.
    const registered: RegisteredAction = {
      definition: action as unknown as ActionDefinition<Record<string, unknown>>,
      approvalsRequired,
      ttlMs,
    };
    this.#actions.set(name, registered);
    return registered;
  }

  get(name: string): RegisteredAction | undefined {
    return this.#actions.get(name);
  }
}

function invalid(message: string): CoreError {
  return new CoreError(ErrorCode.ConfigInvalid, message);
}
