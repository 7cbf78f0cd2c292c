// A cargo-lambda-shaped output directory with a placeholder bootstrap for every function, for
// the stacks the tests synthesize; removed after the test file that made it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ALL_FUNCTIONS = ['on-create-instance', 'on-org-event', 'sweep', 'sweep-worker', 'outlets'];

export function placeholderCodeRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'idc-guardrail-code-'));
  for (const name of ALL_FUNCTIONS) {
    fs.mkdirSync(path.join(root, name));
    fs.writeFileSync(path.join(root, name, 'bootstrap'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  }
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  return root;
}
