// Validates run and experiment names typed into rename input boxes. Pure.

export const MAX_NAME_LENGTH = 250;

/** Returns an error message for the input box, or undefined when the name is acceptable. */
export function validateName(input: string, what: 'run' | 'experiment'): string | undefined {
  const name = input.trim();
  if (name === '') return `The ${what} name cannot be empty.`;
  if (/[\r\n\t]/.test(input)) return `The ${what} name must be a single line without tabs.`;
  if (name.length > MAX_NAME_LENGTH) return `The ${what} name is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}.`;
  return undefined;
}
