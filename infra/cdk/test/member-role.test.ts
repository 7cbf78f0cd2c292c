// A member account's IAM Identity Center, its identity store and QuickSight are reached only
// through the member role (infra/member-stackset.yaml): it lists and deletes account instances,
// and reads what their applications use for the migration plan. No central role is granted an
// action of those services; each function that judges may only assume the member role.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IdcGuardrail } from '../lib/idc-guardrail';
import { IdcGuardrailStack } from '../bin/app';
import { placeholderCodeRoot } from './placeholder-code';

const codeRoot = placeholderCodeRoot();

type Res = { Type: string; Properties: any };
const all = (t: Template, type: string): Record<string, Res> => t.findResources(type) as Record<string, Res>;
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

// Every statement of every IAM policy of a template, inline in a role or not.
function iamStatements(t: Template): any[] {
  const docs: any[] = [];
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    docs.push(...Object.values(all(t, type)).map((p) => p.Properties.PolicyDocument));
  }
  for (const r of Object.values(all(t, 'AWS::IAM::Role'))) {
    docs.push(...(r.Properties.Policies ?? []).map((p: any) => p.PolicyDocument));
  }
  return docs.flatMap((d) => asList<any>(d.Statement));
}

// The app's stack, and the construct with the outlets (Security Hub and chat) and a role name.
const app = Template.fromStack(new IdcGuardrailStack(new App(), 'App', { codeRoot }));
const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
new IdcGuardrail(stack, 'Guardrail', {
  organizationId: 'o-abcdef1234',
  codeRoot,
  memberRoleName: 'OtherRemediation',
  securityHub: 'true',
  chatTopicArn: 'arn:aws:sns:us-east-1:111111111111:chat',
});
const construct = Template.fromStack(stack);

describe('the member role', () => {
  test.each([
    ['app', app],
    ['construct', construct],
  ])('%s: no central role is granted Identity Center, identity store or QuickSight actions', (_, t) => {
    const statements = iamStatements(t);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      expect(s.NotAction).toBeUndefined();
      for (const a of asList<string>(s.Action)) {
        expect([a, /^(sso|identitystore|quicksight):/.test(a)]).toEqual([a, false]);
      }
    }
  });

  test('the functions that judge assume the member role by its name, the outlets none', () => {
    const assume = (t: Template) =>
      iamStatements(t).filter((s) => asList<string>(s.Action).includes('sts:AssumeRole'));
    expect(assume(construct)).toHaveLength(4);
    for (const s of assume(construct)) {
      expect(asList(s.Action)).toEqual(['sts:AssumeRole']);
      expect(JSON.stringify(s.Resource)).toContain(':iam::*:role/OtherRemediation');
    }
    expect(app.toJSON().Parameters.MemberRoleName.Default).toBe('IdcGuardrailRemediation');
    for (const s of assume(app)) {
      expect(JSON.stringify(s.Resource)).toContain('MemberRoleName');
    }
  });
});
