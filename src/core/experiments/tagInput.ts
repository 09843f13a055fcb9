// Parses what the user types into the "Add Tag" input box. Pure.

/** MLflow's limits, so tags we write round-trip through MLflow tools. */
export const MAX_TAG_KEY_LENGTH = 250;
export const MAX_TAG_VALUE_LENGTH = 5000;

export type TagInputResult =
  | { ok: true; key: string; value: string }
  | { ok: false; error: string };

/**
 * `key=value`: the key is everything before the first `=` (trimmed), the value everything
 * after it (kept as typed, so values may contain `=` and spaces). An empty value is allowed,
 * as in MLflow. Errors say what is wrong and what to type instead.
 */
export function parseTagInput(input: string): TagInputResult {
  const eq = input.indexOf('=');
  if (eq < 0) return { ok: false, error: 'Type the tag as key=value, for example dataset=mnist-v2.' };
  const key = input.slice(0, eq).trim();
  const value = input.slice(eq + 1);
  if (key === '') return { ok: false, error: 'The tag key before "=" is empty. Type key=value, for example dataset=mnist-v2.' };
  if (key.length > MAX_TAG_KEY_LENGTH) {
    return { ok: false, error: `The tag key is ${key.length} characters long; the limit is ${MAX_TAG_KEY_LENGTH}.` };
  }
  if (!/^[\w\-. /:]+$/.test(key)) {
    return {
      ok: false,
      error: `The tag key "${key}" may only contain letters, digits, "_", "-", ".", " ", "/" and ":".`,
    };
  }
  if (/[\r\n]/.test(value)) return { ok: false, error: 'The tag value must be on one line.' };
  if (value.length > MAX_TAG_VALUE_LENGTH) {
    return { ok: false, error: `The tag value is ${value.length} characters long; the limit is ${MAX_TAG_VALUE_LENGTH}.` };
  }
  return { ok: true, key, value };
}
