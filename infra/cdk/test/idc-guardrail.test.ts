import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IdcGuardrail } from '../lib/idc-guardrail';
import { IdcGuardrailStack } from '../bin/app';

// A cargo-lambda-shaped output directory with placeholder binaries.
function fakeCodeRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'idc-guardrail-code-'));
  for (const name of ['on-create-instance', 'on-org-event']) {
    fs.mkdirSync(path.join(root, name));
    fs.writeFileSync(path.join(root, name, 'bootstrap'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  }
  return root;
}

const codeRoot = fakeCodeRoot();
afterAll(() => fs.rmSync(codeRoot, { recursive: true, force: true }));

function synth(props: Partial<ConstructorParameters<typeof IdcGuardrail>[2]> = {}): Template {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
  new IdcGuardrail(stack, 'Guardrail', { organizationId: 'o-abcdef1234', codeRoot, ...props });
  return Template.fromStack(stack);
}

const template = synth();

// Written out here on purpose (not imported from lib/patterns.ts) so that a
// change of a pattern has to be made twice, knowingly.
const CREATE_INSTANCE = {
  source: ['aws.sso'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: { eventSource: ['sso.amazonaws.com'], eventName: ['CreateInstance'] },
};
const DELEGATED_ADMIN = {
  source: ['aws.organizations'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['organizations.amazonaws.com'],
    eventName: ['RegisterDelegatedAdministrator'],
    requestParameters: { servicePrincipal: ['sso.amazonaws.com'] },
  },
};
const ACCOUNT_JOINED = {
  source: ['aws.organizations'],
  'detail-type': ['AWS API Call via CloudTrail', 'AWS Service Event via CloudTrail'],
  detail: {
    eventSource: ['organizations.amazonaws.com'],
    eventName: ['AcceptHandshake', 'AccountJoinedOrganization', 'CreateAccountResult'],
  },
};

const FUNCTION_ACTIONS = [
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'organizations:DescribeAccount',
  'organizations:DescribeOrganization',
  'organizations:ListAccounts',
  'organizations:ListDelegatedAdministrators',
  'sns:Publish',
  'sqs:SendMessage',
  'sts:AssumeRole',
];

type Res = { Type: string; Properties: any; Condition?: string; DependsOn?: string[] };
const all = (t: Template, type: string): Record<string, Res> => t.findResources(type) as Record<string, Res>;
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('encryption', () => {
  test('the topic is encrypted with the guardrail key', () => {
    const [keyId] = Object.keys(all(template, 'AWS::KMS::Key'));
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  test('every queue is encrypted with the guardrail key', () => {
    const [keyId] = Object.keys(all(template, 'AWS::KMS::Key'));
    const queues = Object.values(all(template, 'AWS::SQS::Queue'));
    expect(queues).toHaveLength(3);
    for (const q of queues) expect(q.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  test('the key rotates and only the function roles may use it', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const [key] = Object.values(all(template, 'AWS::KMS::Key'));
    const statements: any[] = key.Properties.KeyPolicy.Statement;
    const users = statements.filter((s) => asList(s.Action).includes('kms:GenerateDataKey'));
    expect(users.map((s) => s.Sid).sort()).toEqual(['FunctionsUseKeyViaSnsAndSqs', 'GuardrailRulesUseKeyForDeadLetters']);
    const roles = Object.keys(all(template, 'AWS::IAM::Role'));
    const fnUse = statements.find((s) => s.Sid === 'FunctionsUseKeyViaSnsAndSqs');
    expect(fnUse.Principal.AWS.map((p: any) => p['Fn::GetAtt'][0]).sort()).toEqual(roles.sort());
    const admin = statements.find((s) => s.Sid === 'KeyAdministration');
    expect(admin.Action).not.toContain('kms:*');
    expect(admin.Action).not.toContain('kms:Decrypt');
  });

  test('log groups are encrypted and retained for a year by default', () => {
    const groups = Object.values(all(template, 'AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(2);
    for (const g of groups) {
      expect(g.Properties.KmsKeyId).toBeDefined();
      expect(g.Properties.RetentionInDays).toBe(365);
    }
  });
});

describe('dead letters and retries', () => {
  test('each function has its own dead-letter queue', () => {
    const fns = Object.values(all(template, 'AWS::Lambda::Function'));
    expect(fns).toHaveLength(2);
    const targets = fns.map((f) => f.Properties.DeadLetterConfig.TargetArn['Fn::GetAtt'][0]);
    expect(new Set(targets).size).toBe(2);
    for (const t of targets) expect(all(template, 'AWS::SQS::Queue')[t]).toBeDefined();
  });

  test('every rule target has a dead-letter queue and a retry policy', () => {
    const rules = Object.values(all(template, 'AWS::Events::Rule')).filter((r) => r.Properties.EventPattern);
    expect(rules).toHaveLength(3);
    for (const r of rules) {
      for (const t of r.Properties.Targets) {
        expect(t.DeadLetterConfig.Arn).toBeDefined();
        expect(t.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 });
      }
    }
  });

  test('asynchronous invocation retries are bounded', () => {
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2);
    template.allResourcesProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
    });
  });
});

describe('event patterns', () => {
  const fnByName = (name: string) =>
    Object.entries(all(template, 'AWS::Lambda::Function')).find(([, f]) =>
      f.Properties.Tags.some((t: any) => t.Key === 'idc-guardrail:function' && t.Value === name),
    )![0];
  const patternsOf = (name: string) =>
    Object.values(all(template, 'AWS::Events::Rule'))
      .filter((r) => r.Properties.Targets?.some((t: any) => t.Arn['Fn::GetAtt']?.[0] === fnByName(name)))
      .map((r) => r.Properties.EventPattern);

  test('on-create-instance: CreateInstance, any outcome', () => {
    expect(patternsOf('on-create-instance')).toEqual([CREATE_INSTANCE]);
  });

  test('on-org-event: sso delegated admin and accounts joining', () => {
    expect(patternsOf('on-org-event')).toEqual([DELEGATED_ADMIN, ACCOUNT_JOINED]);
  });

  test('rules listen on the central bus', () => {
    const [busId] = Object.keys(all(template, 'AWS::Events::EventBus'));
    const rules = Object.values(all(template, 'AWS::Events::Rule')).filter((r) => r.Properties.EventPattern);
    expect(rules).toHaveLength(3);
    for (const r of rules) expect(r.Properties.EventBusName).toEqual({ Ref: busId });
  });

  test('the sweep rule exists, disabled, without a target', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      State: 'DISABLED',
      Targets: Match.absent(),
      EventBusName: Match.absent(),
    });
  });

  test('the bus admits PutEvents from the organization only', () => {
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } },
      },
    });
  });
});

describe('least privilege', () => {
  test('each function role has exactly the listed actions', () => {
    const policies = Object.values(all(template, 'AWS::IAM::Policy'));
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      const actions = new Set<string>();
      for (const s of p.Properties.PolicyDocument.Statement) {
        expect(s.Effect).toBe('Allow');
        asList<string>(s.Action).forEach((a) => actions.add(a));
      }
      expect([...actions].sort()).toEqual(FUNCTION_ACTIONS);
    }
    for (const r of Object.values(all(template, 'AWS::IAM::Role'))) {
      expect(r.Properties.ManagedPolicyArns).toBeUndefined();
      expect(r.Properties.Policies).toBeUndefined();
    }
  });

  test('assume only the member role, inside the organization', () => {
    for (const p of Object.values(all(template, 'AWS::IAM::Policy'))) {
      const s = p.Properties.PolicyDocument.Statement.find((x: any) => x.Action === 'sts:AssumeRole');
      expect(JSON.stringify(s.Resource)).toContain(':iam::*:role/IdcGuardrailRemediation');
      expect(s.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': 'o-abcdef1234' } });
    }
  });

  test('publish only to the findings topic', () => {
    const [topicId] = Object.keys(all(template, 'AWS::SNS::Topic'));
    for (const p of Object.values(all(template, 'AWS::IAM::Policy'))) {
      const s = p.Properties.PolicyDocument.Statement.find((x: any) => x.Action === 'sns:Publish');
      expect(s.Resource).toEqual({ Ref: topicId });
    }
  });
});

describe('functions', () => {
  test('provided.al2023, bootstrap, arm64 by default, the documented environment', () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'provided.al2023',
      Handler: 'bootstrap',
      Architectures: ['arm64'],
    });
    for (const f of Object.values(all(template, 'AWS::Lambda::Function'))) {
      expect(Object.keys(f.Properties.Environment.Variables).sort()).toEqual(
        [
          'AUTO_REMEDIATE',
          'DRY_RUN',
          'EXEMPT_ACCOUNTS',
          'EXEMPT_TAG',
          'FORCE_DELETE_IN_USE',
          'MANAGEMENT_ACCOUNT_ID',
          'MEMBER_ROLE_NAME',
          'RUST_LOG',
          'TOPIC_ARN',
          'TRIAL_DAYS',
        ].sort(),
      );
      expect(f.Properties.Environment.Variables.AUTO_REMEDIATE).toBe('false');
    }
  });

  test('x86_64 when asked', () => {
    synth({ architecture: lambda.Architecture.X86_64 }).allResourcesProperties('AWS::Lambda::Function', {
      Architectures: ['x86_64'],
    });
  });

  test('code can be given directly', () => {
    const code = lambda.Code.fromAsset(path.join(codeRoot, 'on-org-event'));
    synth({ codeRoot: '/nonexistent', code: { 'on-create-instance': code, 'on-org-event': code } }).resourceCountIs(
      'AWS::Lambda::Function',
      2,
    );
  });

  test('a missing build output is a clear error', () => {
    expect(() => synth({ codeRoot: path.join(codeRoot, 'nope') })).toThrow(/make package/);
  });
});

describe('notifications', () => {
  test('no e-mail subscription unless asked', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('a literal address subscribes without a condition', () => {
    const t = synth({ alertEmail: 'security@example.com' });
    t.hasResource('AWS::SNS::Subscription', {
      Properties: { Protocol: 'email', Endpoint: 'security@example.com' },
      Condition: Match.absent(),
    });
  });
});

describe('the app stack', () => {
  const app = new App();
  const stack = new IdcGuardrailStack(app, 'App', { codeRoot });
  const t = Template.fromStack(stack);

  test('has the same parameters as the SAM template', () => {
    const params = Object.keys(t.toJSON().Parameters).filter((p) => p !== 'BootstrapVersion');
    for (const p of ['AutoRemediate', 'DryRun', 'ExemptAccounts', 'ExemptTag', 'TrialDays', 'MemberRoleName',
      'OrganizationId', 'AlertEmail', 'Architecture']) {
      expect(params).toContain(p);
    }
    t.hasParameter('AutoRemediate', { Default: 'false' });
    t.hasParameter('Architecture', { Default: 'arm64', AllowedValues: ['arm64', 'x86_64'] });
  });

  test('the e-mail subscription depends on a condition', () => {
    t.hasResource('AWS::SNS::Subscription', { Condition: Match.stringLikeRegexp('HasAlertEmail') });
  });

  test('outputs the values the member StackSet needs', () => {
    t.hasOutput('EventBusArn', {});
    t.hasOutput('FunctionRoleArns', {});
    t.hasOutput('FindingsTopicArn', {});
  });
});

describe('cargo-lambda output', () => {
  test('a zip from --output-format zip is used as is', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'idc-guardrail-zip-'));
    try {
      for (const name of ['on-create-instance', 'on-org-event']) {
        fs.mkdirSync(path.join(root, name));
        fs.writeFileSync(path.join(root, name, 'bootstrap.zip'), 'PK\u0005\u0006' + '\u0000'.repeat(18));
      }
      synth({ codeRoot: root }).resourceCountIs('AWS::Lambda::Function', 2);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
