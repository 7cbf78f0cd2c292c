// Central exemptions (EXEMPTIONS) and the SCP that protects the exempt tag (EXEMPT_TAG_POLICY_ID).
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IdcGuardrail } from '../lib/idc-guardrail';
import { placeholderCodeRoot } from './placeholder-code';

const codeRoot = placeholderCodeRoot();

function synth(props: Partial<ConstructorParameters<typeof IdcGuardrail>[2]> = {}): Template {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
  new IdcGuardrail(stack, 'Guardrail', { organizationId: 'o-abcdef1234', codeRoot, ...props });
  return Template.fromStack(stack);
}

const envs = (t: Template): Record<string, any>[] =>
  Object.values(t.findResources('AWS::Lambda::Function')).map((f: any) => f.Properties.Environment.Variables);

const GRANT = '[{"account":"222222222222","expires":"2027-01-31","reason":"QuickSight trial, SEC-123"}]';

describe('exemptions', () => {
  test('none by default, in every function', () => {
    for (const env of envs(synth())) expect(env).toMatchObject({ EXEMPTIONS: '', EXEMPT_TAG_POLICY_ID: '' });
  });

  test('given, they reach every function as they are', () => {
    const byInstance = '[{"instance_arn":"arn:aws:sso:::instance/ssoins-1234567890abcdef","expires":"2027-01-31","reason":"SEC-124"}]';
    for (const exemptions of [GRANT, byInstance, '[]']) {
      for (const env of envs(synth({ exemptions, exemptTagPolicyId: 'p-abcd1234' }))) {
        expect(env).toMatchObject({ EXEMPTIONS: exemptions, EXEMPT_TAG_POLICY_ID: 'p-abcd1234' });
      }
    }
  });

  test('what the template would refuse, or the functions could not use, is refused', () => {
    expect(() => synth({ exemptions: '222222222222' })).toThrow(/JSON list/);
    expect(() => synth({ exemptions: '{"account":"222222222222","expires":"2027-01-31"}' })).toThrow(/JSON list/);
    expect(() => synth({ exemptions: '[{"account":"222222222222","reason":"no expiry"}]' })).toThrow(/needs "expires"/);
    expect(() => synth({ exemptions: '[{"expires":"2027-01-31"}]' })).toThrow(/either "account" or "instance_arn"/);
    expect(() => synth({ exemptions: '["222222222222"]' })).toThrow(/must be an object/);
    const long = JSON.stringify(
      Array.from({ length: 40 }, (_, i) => ({ account: `2222222222${String(i).padStart(2, '0')}`, expires: '2027-01-31', reason: 'x'.repeat(40) })),
    );
    expect(long.length).toBeGreaterThan(3000);
    expect(() => synth({ exemptions: long })).toThrow(/at most 3000/);
    expect(() => synth({ exemptTagPolicyId: 'p-abc' })).toThrow(/SCP id/);
    expect(() => synth({ exemptTagPolicyId: 'P-ABCD1234' })).toThrow(/SCP id/);
  });
});
