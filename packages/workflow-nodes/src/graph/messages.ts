/** Zod issues in words a manager understands. Messages written in a schema take precedence. */
import type { z } from 'zod';

/** English messages written in node schemas → their reason code (see `said`). */
const reasonOfMessage = new Map<string, string>();

/**
 * A message written in a node's schema, with a stable reason code the editor words in the
 * reader's language: `z.string().min(1, said('pick_tag', 'Pick a tag'))`.
 */
export function said(reason: string, message: string): string {
  reasonOfMessage.set(message, reason);
  return message;
}

const typeNames: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'yes or no',
  array: 'a list',
  object: 'a group of settings',
};

export const friendlyErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null) return 'Fill in this field';
      return `This should be ${typeNames[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `Choose one of: ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'Fill in this field' : `Use at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `Add at least ${issue.minimum}`;
      return `Use ${issue.inclusive === false ? 'more than' : 'at least'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `Use at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `Use at most ${issue.maximum} items`;
      return `Use ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum}`;
    case 'invalid_format':
      return issue.format === 'url' ? 'Enter a full web address, like https://example.com/hook' : `This is not a valid ${issue.format}`;
    case 'unrecognized_keys':
      return `Unknown settings: ${issue.keys.join(', ')}`;
    case 'invalid_union':
      return 'This value does not fit any of the allowed forms';
    default:
      return undefined;
  }
};

export const issuePath = (path: readonly PropertyKey[]): string => path.map(String).join('.');

/**
 * An issue as a reason code and what its wording needs, for a reader in another language: zod's
 * own issue code with its limits, or the reason a node put in a custom issue's params.
 */
export function issueReason(issue: z.core.$ZodIssue): { reason: string; params: Record<string, string | number | boolean> } {
  const params: Record<string, string | number | boolean> = {};
  const written = reasonOfMessage.get(issue.message);
  if (written) return { reason: written, params };
  switch (issue.code) {
    case 'custom': {
      const own = (issue.params ?? {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(own)) if (k !== 'reason' && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) params[k] = v;
      return { reason: typeof own.reason === 'string' ? own.reason : 'custom', params };
    }
    case 'invalid_type':
      return { reason: issue.input === undefined || issue.input === null ? 'required' : 'invalid_type', params: { expected: String(issue.expected) } };
    case 'invalid_value':
      return { reason: 'invalid_value', params: { values: issue.values.map(String).join(', ') } };
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) <= 1) return { reason: 'required', params };
      return { reason: 'too_small', params: { origin: String(issue.origin), minimum: Number(issue.minimum), inclusive: issue.inclusive !== false } };
    case 'too_big':
      return { reason: 'too_big', params: { origin: String(issue.origin), maximum: Number(issue.maximum), inclusive: issue.inclusive !== false } };
    case 'invalid_format':
      return { reason: 'invalid_format', params: { format: String(issue.format) } };
    case 'unrecognized_keys':
      return { reason: 'unrecognized_keys', params: { keys: issue.keys.join(', ') } };
    default:
      return { reason: issue.code, params };
  }
}
