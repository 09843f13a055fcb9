// Deployment environments and the model versions each accepts, e.g. from modelcloud.yaml:
//   environments:
//     prod: "<=1"
//     int: "<=2"
// (or the VS Code setting modelcloud.registry.environments). Ranges use the grammar in versionRange.ts.
import { parseVersionRange, VersionRangeError, type VersionRange } from './versionRange';

/** Each environment's range, or the message saying why its range is unusable. */
export type Environments = Map<string, VersionRange | { error: string }>;

/**
 * Parses the `environments` value (an object of name → range; a bare number counts as "=N").
 * A malformed range spoils only its own environment: its entry holds an error naming the
 * environment and the file; the others stay usable. A value that is not a mapping throws.
 */
export function parseEnvironments(value: unknown, where: string): Environments {
  const result: Environments = new Map();
  if (value === undefined || value === null) return result;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where}: "environments" must map environment names to version ranges, e.g. {prod: "<=1", int: "<=2"}`);
  }
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    if (typeof raw !== 'string' && typeof raw !== 'number') {
      result.set(name, { error: `${where}: environment '${name}' needs a version range string such as "<=1", got ${JSON.stringify(raw)}` });
      continue;
    }
    try {
      result.set(name, parseVersionRange(String(raw)));
    } catch (error) {
      if (!(error instanceof VersionRangeError)) throw error;
      result.set(name, { error: `${where}: environment '${name}': ${error.message}` });
    }
  }
  return result;
}
