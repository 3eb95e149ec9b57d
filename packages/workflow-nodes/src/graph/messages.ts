/** Zod issues in words a manager understands. Messages written in a schema take precedence. */
import type { z } from 'zod';

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
