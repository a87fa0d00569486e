/**
 * The cfn-lint gate fails closed: a linter that crashes, prints nothing parsable or contradicts its exit code fails the
 * gate instead of letting a template through. The stand-in linters are shell scripts with cfn-lint's exit-code contract.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cfnLintFindings } from '../support/gates';

function assembly(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-gate-'));
  fs.writeFileSync(path.join(dir, 'S.template.json'), JSON.stringify({ Resources: { Q: { Type: 'AWS::SQS::Queue' } } }));
  return dir;
}

function linter(script: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fake-cfn-lint-')), 'cfn-lint');
  fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return file;
}

const finding = JSON.stringify([{
  Level: 'Error', Rule: { Id: 'E3002' }, Filename: 'S.template.json', Message: 'bad property', Location: { Path: ['Resources', 'Q', 'Properties'] },
}]);

describe('cfn-lint gate', () => {
  test('a clean run ([] and exit 0) passes; findings are returned with their rule and place', () => {
    expect(cfnLintFindings(assembly(), linter('echo "[]"'))).toEqual([]);
    expect(cfnLintFindings(assembly(), linter(`echo '${finding}'; exit 2`))).toEqual([
      { plugin: 'cfn-lint', rule: 'E3002', severity: 'error', path: 'S.template.json:Resources/Q', description: 'bad property' },
    ]);
  });

  test('throws when cfn-lint exits with its own error (exit 1), even with output', () => {
    expect(() => cfnLintFindings(assembly(), linter('echo "[]"; echo "Traceback: boom" >&2; exit 1'))).toThrow(/cfn-lint failed \(exit 1\): Traceback: boom/);
  });

  test('throws when cfn-lint prints nothing parsable', () => {
    expect(() => cfnLintFindings(assembly(), linter('exit 0'))).toThrow(/printed nothing parsable/);
    expect(() => cfnLintFindings(assembly(), linter('echo "E3002 bad property"; exit 2'))).toThrow(/printed nothing parsable/);
    expect(() => cfnLintFindings(assembly(), linter('echo "{}"'))).toThrow(/not a list/);
  });

  test('throws when the exit code announces findings the output lacks', () => {
    expect(() => cfnLintFindings(assembly(), linter('echo "[]"; exit 2'))).toThrow(/reported findings in its exit code but printed none/);
  });

  test('throws when cfn-lint is killed', () => {
    expect(() => cfnLintFindings(assembly(), linter('kill -9 $$'))).toThrow(/was killed/);
  });
});
