// Tests never touch the committed fixture: each run works on its own copy in a temp dir.
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from './proc.mjs';

/** Copies `<repo>/test/fixtures/workspace` to a new temp dir and returns the copy's path. */
export function copyFixtureWorkspace(repo, label) {
  const source = join(repo, 'test', 'fixtures', 'workspace');
  if (!existsSync(source)) {
    throw new HarnessError(`fixture workspace ${source} does not exist`, 'create test/fixtures/workspace (the shared test workspace)');
  }
  const target = join(mkdtempSync(join(tmpdir(), `modelcloud-${label}-`)), 'workspace');
  cpSync(source, target, { recursive: true });
  return target;
}
