import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IdcGuardrail } from '../lib/idc-guardrail';
import { IdcGuardrailStack } from '../bin/app';
import { placeholderCodeRoot } from './placeholder-code';

// Written out here, not imported from lib/patterns.ts: the binaries the Rust workspace builds.
const FUNCTION_NAMES = ['on-create-instance', 'on-org-event', 'sweep', 'sweep-worker', 'outlets'];
// The functions that judge and delete (the outlets exist only with Security Hub or chat).
const REMEDIATION_FUNCTION_NAMES = FUNCTION_NAMES.filter((n) => n !== 'outlets');

const codeRoot = placeholderCodeRoot();

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

const COMMON_ACTIONS = [
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'organizations:DescribeAccount',
  'organizations:DescribeOrganization',
  'organizations:DescribePolicy',
  'organizations:ListAccounts',
  'organizations:ListDelegatedAdministrators',
  'organizations:ListTargetsForPolicy',
  'sns:Publish',
  'sts:AssumeRole',
];
const WORKER_QUEUE_ACTIONS = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'];
const FUNCTION_ACTIONS: Record<string, string[]> = {
  'on-create-instance': [...COMMON_ACTIONS, 'sqs:SendMessage'].sort(),
  'on-org-event': [...COMMON_ACTIONS, 'sqs:SendMessage'].sort(),
  sweep: [...COMMON_ACTIONS, 'sqs:SendMessage'].sort(),
  // The worker queues the confirmations of its own deletes to its own queue.
  'sweep-worker': [...COMMON_ACTIONS, ...WORKER_QUEUE_ACTIONS, 'sqs:SendMessage'].sort(),
};
// No SECURITY_HUB, CHAT_TOPIC_ARN or CHAT_MIN_SEVERITY: only the outlets know them.
const COMMON_ENV = [
  'AUTO_REMEDIATE',
  'DRY_RUN',
  'EXEMPTIONS',
  'EXEMPT_ACCOUNTS',
  'EXEMPT_TAG',
  'EXEMPT_TAG_POLICY_ID',
  'FORCE_DELETE_IN_USE',
  'GUARDRAIL_NAME',
  'MANAGEMENT_ACCOUNT_ID',
  'MEMBER_ROLE_NAME',
  'REGIONS',
  'TOPIC_ARN',
  'TRIAL_DAYS',
  'WORKER_QUEUE_URL',
];
const FUNCTION_ENV: Record<string, string[]> = {
  'on-create-instance': [...COMMON_ENV, 'OUTSIDE_REGIONS'].sort(),
  'on-org-event': COMMON_ENV,
  sweep: [...COMMON_ENV, 'FANOUT_THRESHOLD', 'SWEEP_CONCURRENCY'].sort(),
  'sweep-worker': [...COMMON_ENV, 'SWEEP_CONCURRENCY'].sort(),
  outlets: ['CHAT_MIN_SEVERITY', 'CHAT_TOPIC_ARN', 'GUARDRAIL_NAME', 'SECURITY_HUB', 'TOPIC_ARN'],
};

type Res = { Type: string; Properties: any; Condition?: string; DependsOn?: string[] };
const all = (t: Template, type: string): Record<string, Res> => t.findResources(type) as Record<string, Res>;
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const refId = (v: any): string | undefined => v?.Ref ?? v?.['Fn::GetAtt']?.[0];

/** Logical id of the function tagged with this binary name. */
const fnId = (t: Template, name: string): string =>
  Object.entries(all(t, 'AWS::Lambda::Function')).find(([, f]) =>
    f.Properties.Tags.some((tag: any) => tag.Key === 'idc-guardrail:function' && tag.Value === name),
  )![0];
const fnName = (t: Template, id: string): string =>
  all(t, 'AWS::Lambda::Function')[id].Properties.Tags.find((tag: any) => tag.Key === 'idc-guardrail:function').Value;

describe('encryption', () => {
  test('the topic is encrypted with the guardrail key', () => {
    const [keyId] = Object.keys(all(template, 'AWS::KMS::Key'));
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  test('every queue is encrypted with the guardrail key', () => {
    const [keyId] = Object.keys(all(template, 'AWS::KMS::Key'));
    const queues = Object.values(all(template, 'AWS::SQS::Queue'));
    // Four function dead-letter queues (the worker's is its queue's redrive target), the rules', the worker queue.
    expect(queues).toHaveLength(6);
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
    expect(groups).toHaveLength(4);
    for (const g of groups) {
      expect(g.Properties.KmsKeyId).toBeDefined();
      expect(g.Properties.RetentionInDays).toBe(365);
    }
  });
});

describe('dead letters and retries', () => {
  test('each asynchronously invoked function has its own dead-letter queue', () => {
    const fns = all(template, 'AWS::Lambda::Function');
    expect(Object.keys(fns)).toHaveLength(4);
    const targets = ['on-create-instance', 'on-org-event', 'sweep'].map(
      (n) => fns[fnId(template, n)].Properties.DeadLetterConfig.TargetArn['Fn::GetAtt'][0],
    );
    expect(new Set(targets).size).toBe(3);
    for (const t of targets) expect(all(template, 'AWS::SQS::Queue')[t]).toBeDefined();
    // The worker is invoked synchronously by its event source mapping: no function DLQ.
    expect(fns[fnId(template, 'sweep-worker')].Properties.DeadLetterConfig).toBeUndefined();
  });

  test('every rule target has a dead-letter queue and a retry policy', () => {
    const rules = Object.values(all(template, 'AWS::Events::Rule'));
    expect(rules).toHaveLength(4);
    for (const r of rules) {
      for (const t of r.Properties.Targets) {
        expect(t.DeadLetterConfig.Arn).toBeDefined();
        expect(t.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 });
      }
    }
  });

  test('asynchronous invocation retries are bounded', () => {
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 3);
    template.allResourcesProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
    });
  });
});

describe('event patterns', () => {
  const fnByName = (name: string) => fnId(template, name);
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

  test('the sweep and its worker have no event pattern', () => {
    expect(patternsOf('sweep')).toEqual([]);
    expect(patternsOf('sweep-worker')).toEqual([]);
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

describe('the sweep and its fan-out', () => {
  const queues = all(template, 'AWS::SQS::Queue');
  const [mappingId] = Object.keys(all(template, 'AWS::Lambda::EventSourceMapping'));
  const mapping = all(template, 'AWS::Lambda::EventSourceMapping')[mappingId];
  const workerQueueId = refId(mapping?.Properties.EventSourceArn)!;

  test('the schedule rule is enabled, on the default bus, and targets the sweep function', () => {
    const sweeps = Object.entries(all(template, 'AWS::Events::Rule')).filter(([, r]) => r.Properties.ScheduleExpression);
    expect(sweeps).toHaveLength(1);
    const [ruleId, rule] = sweeps[0];
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'rate(1 day)', State: 'ENABLED', Name: 'idc-guardrail-sweep' });
    expect(rule.Properties.EventBusName).toBeUndefined();
    expect(rule.Properties.EventPattern).toBeUndefined();
    const [target] = rule.Properties.Targets;
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(refId(target.Arn)).toBe(fnId(template, 'sweep'));
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 });
    expect(refId(target.DeadLetterConfig.Arn)).toBeDefined();
    // EventBridge may invoke the sweep, for this rule only.
    const perms = Object.values(all(template, 'AWS::Lambda::Permission')).filter((p) => refId(p.Properties.SourceArn) === ruleId);
    expect(perms).toHaveLength(1);
    expect(perms[0].Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' });
    expect(refId(perms[0].Properties.FunctionName)).toBe(fnId(template, 'sweep'));
  });

  test('the key lets the named sweep rule encrypt dead letters', () => {
    const [key] = Object.values(all(template, 'AWS::KMS::Key'));
    const s = key.Properties.KeyPolicy.Statement.find((x: any) => x.Sid === 'GuardrailRulesUseKeyForDeadLetters');
    const arns = JSON.stringify(s.Condition.ArnLike['aws:SourceArn']);
    expect(arns).toContain(':rule/idc-guardrail/*');
    expect(arns).toContain(':rule/idc-guardrail-sweep"');
  });

  test('the worker consumes its queue with partial batch failure reporting', () => {
    expect(refId(mapping.Properties.FunctionName)).toBe(fnId(template, 'sweep-worker'));
    expect(mapping.Properties).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 5,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });

  test('the worker queue is encrypted, outlasts 6 worker timeouts, and has its own dead-letter queue', () => {
    const [keyId] = Object.keys(all(template, 'AWS::KMS::Key'));
    const q = queues[workerQueueId].Properties;
    expect(q.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const workerTimeout = all(template, 'AWS::Lambda::Function')[fnId(template, 'sweep-worker')].Properties.Timeout;
    expect(workerTimeout).toBe(300);
    expect(q.VisibilityTimeout).toBeGreaterThanOrEqual(6 * workerTimeout);
    expect(q.RedrivePolicy.maxReceiveCount).toBe(3);
    const dlqId = refId(q.RedrivePolicy.deadLetterTargetArn)!;
    expect(dlqId).not.toBe(workerQueueId);
    expect(queues[dlqId].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(queues[dlqId].Properties.MessageRetentionPeriod).toBeGreaterThan(q.MessageRetentionPeriod);
  });

  test('every function sends to the worker queue (confirmations), only the worker consumes it', () => {
    for (const p of Object.values(all(template, 'AWS::IAM::Policy'))) {
      const role = refId(p.Properties.Roles[0]);
      const fn = Object.entries(all(template, 'AWS::Lambda::Function')).find(([, f]) => refId(f.Properties.Role) === role)![0];
      const name = fnName(template, fn);
      const onWorkerQueue = p.Properties.PolicyDocument.Statement.filter((s: any) => refId(s.Resource) === workerQueueId)
        .flatMap((s: any) => asList<string>(s.Action))
        .sort();
      const expected = name === 'sweep-worker' ? [...WORKER_QUEUE_ACTIONS, 'sqs:SendMessage'].sort() : ['sqs:SendMessage'];
      expect([name, onWorkerQueue]).toEqual([name, expected]);
    }
  });

  test('the sweep knows the worker queue and both have the sweep settings', () => {
    const fns = all(template, 'AWS::Lambda::Function');
    const sweep = fns[fnId(template, 'sweep')].Properties;
    expect(sweep.Environment.Variables).toMatchObject({
      WORKER_QUEUE_URL: { Ref: workerQueueId },
      FANOUT_THRESHOLD: '100',
      SWEEP_CONCURRENCY: '32',
      REGIONS: '',
    });
    expect([sweep.MemorySize, sweep.Timeout]).toEqual([512, 900]);
    expect(fns[fnId(template, 'sweep-worker')].Properties.MemorySize).toBe(256);
  });

  test('sweep settings can be given', () => {
    const t = synth({ regions: 'eu-west-1,eu-central-2', sweepConcurrency: '8', fanoutThreshold: '1' });
    const fns = all(t, 'AWS::Lambda::Function');
    for (const f of Object.values(fns)) expect(f.Properties.Environment.Variables.REGIONS).toBe('eu-west-1,eu-central-2');
    expect(fns[fnId(t, 'sweep')].Properties.Environment.Variables).toMatchObject({ SWEEP_CONCURRENCY: '8', FANOUT_THRESHOLD: '1' });
    expect(fns[fnId(t, 'sweep-worker')].Properties.Environment.Variables.SWEEP_CONCURRENCY).toBe('8');
  });
});

describe('least privilege', () => {
  test('each function role has exactly the listed actions', () => {
    const policies = Object.values(all(template, 'AWS::IAM::Policy'));
    expect(policies).toHaveLength(4);
    for (const p of policies) {
      const actions = new Set<string>();
      for (const s of p.Properties.PolicyDocument.Statement) {
        expect(s.Effect).toBe('Allow');
        asList<string>(s.Action).forEach((a) => actions.add(a));
      }
      const role = refId(p.Properties.Roles[0]);
      const [fn] = Object.entries(all(template, 'AWS::Lambda::Function')).find(([, f]) => refId(f.Properties.Role) === role)!;
      const name = fnName(template, fn);
      expect([name, [...actions].sort()]).toEqual([name, FUNCTION_ACTIONS[name]]);
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
    for (const [id, f] of Object.entries(all(template, 'AWS::Lambda::Function'))) {
      const name = fnName(template, id);
      expect([name, Object.keys(f.Properties.Environment.Variables).sort()]).toEqual([name, FUNCTION_ENV[name]]);
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
    synth({
      codeRoot: '/nonexistent',
      code: { 'on-create-instance': code, 'on-org-event': code, sweep: code, 'sweep-worker': code },
    }).resourceCountIs('AWS::Lambda::Function', 4);
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

describe('findings topic subscribers', () => {
  const OWN_ACCOUNT = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':*']] };
  const topicStatements = (t: Template): Record<string, any> => {
    const [policy] = Object.values(all(t, 'AWS::SNS::TopicPolicy'));
    return Object.fromEntries(policy.Properties.PolicyDocument.Statement.map((s: any) => [s.Sid, s]));
  };
  const subscribers = (t: Template) => {
    const st = topicStatements(t);
    const allowed = st.ListedSubscribersMaySubscribe.Condition.ArnLike['aws:PrincipalArn'];
    expect(st.DenySubscribeByOtherPrincipals.Condition.ArnNotLike['aws:PrincipalArn']).toEqual(allowed);
    return allowed;
  };

  test('by default only this account subscribes, inside the organization, over sqs, lambda, https or email', () => {
    const st = topicStatements(template);
    expect(Object.keys(st).sort()).toEqual([
      'DenyInsecureTransport',
      'DenySubscribeByOtherPrincipals',
      'DenySubscribeOverOtherProtocols',
      'GuardrailAlarmsMayPublish',
      'ListedSubscribersMaySubscribe',
    ]);
    expect(st.ListedSubscribersMaySubscribe).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'sns:Subscribe',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } },
    });
    expect(subscribers(template)).toEqual([OWN_ACCOUNT]);
    expect(st.DenySubscribeByOtherPrincipals).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sns:Subscribe' });
    expect(st.DenySubscribeOverOtherProtocols).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sns:Subscribe',
      Condition: { StringNotEquals: { 'sns:Protocol': ['sqs', 'lambda', 'https', 'email'] } },
    });
    // Literal settings are checked at synth time: no template rule.
    expect(Object.keys(template.toJSON().Rules ?? {})).toEqual(['CheckBootstrapVersion']);
  });

  test('listed principals and protocols can be given', () => {
    const listed = 'arn:aws:iam::222222222222:role/SecOpsAlerts,arn:aws:iam::333333333333:*';
    const tt = synth({ subscriberPrincipals: listed, subscriptionProtocols: ['sqs'] });
    expect(subscribers(tt)).toEqual([OWN_ACCOUNT, ...listed.split(',')]);
    expect(topicStatements(tt).DenySubscribeOverOtherProtocols.Condition).toEqual({
      StringNotEquals: { 'sns:Protocol': ['sqs'] },
    });
  });

  test('a role name in any account is refused', () => {
    expect(() => synth({ subscriberPrincipals: 'arn:aws:iam::*:role/SecOpsAlerts' })).toThrow(/with their account/);
  });

  test('an alert e-mail needs the email protocol', () => {
    expect(() => synth({ alertEmail: 'security@example.com', subscriptionProtocols: ['sqs'] })).toThrow(/must include email/);
    synth({ alertEmail: 'security@example.com', subscriptionProtocols: ['email'] }).resourceCountIs('AWS::SNS::Subscription', 1);
  });
});

describe('the app stack', () => {
  const app = new App();
  const stack = new IdcGuardrailStack(app, 'App', { codeRoot });
  const t = Template.fromStack(stack);

  test('has the same parameters as the SAM template', () => {
    const params = Object.keys(t.toJSON().Parameters).filter((p) => p !== 'BootstrapVersion');
    for (const p of ['AutoRemediate', 'DryRun', 'ExemptAccounts', 'Exemptions', 'ExemptTag', 'ExemptTagPolicyId', 'TrialDays', 'MemberRoleName',
      'OrganizationId', 'AlertEmail', 'Architecture', 'SweepSchedule', 'Regions', 'SweepConcurrency', 'FanoutThreshold',
      'SubscriptionProtocols', 'SubscriberPrincipals']) {
      expect(params).toContain(p);
    }
    t.hasParameter('AutoRemediate', { Default: 'false' });
    t.hasParameter('Regions', { Type: 'String', Default: '' });
    t.hasParameter('SweepConcurrency', { Type: 'Number', Default: 32 });
    t.hasParameter('FanoutThreshold', { Type: 'Number', Default: 100 });
    t.hasParameter('Architecture', { Default: 'arm64', AllowedValues: ['arm64', 'x86_64'] });
  });

  test('the subscribers and protocols are parameters', () => {
    t.hasParameter('SubscriptionProtocols', {
      Type: 'CommaDelimitedList',
      Default: 'sqs,lambda,https,email',
      AllowedValues: ['sqs', 'lambda', 'https', 'email', 'email-json', 'firehose', 'http'],
    });
    t.hasParameter('SubscriberPrincipals', { Type: 'String', Default: '' });
    const json = t.toJSON();
    const [policy] = Object.values(t.findResources('AWS::SNS::TopicPolicy')) as any[];
    const st = Object.fromEntries(policy.Properties.PolicyDocument.Statement.map((s: any) => [s.Sid, s]));
    expect(st.DenySubscribeOverOtherProtocols.Condition).toEqual({ StringNotEquals: { 'sns:Protocol': { Ref: 'SubscriptionProtocols' } } });
    const arns = st.ListedSubscribersMaySubscribe.Condition.ArnLike['aws:PrincipalArn'];
    expect(st.DenySubscribeByOtherPrincipals.Condition.ArnNotLike['aws:PrincipalArn']).toEqual(arns);
    const [condition] = arns['Fn::If'];
    expect(json.Conditions[condition]).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'SubscriberPrincipals' }, ''] }] });
    expect(JSON.stringify(arns['Fn::If'][1])).toContain('{"Ref":"SubscriberPrincipals"}');
    // The outlets' rule (sqs) is outlets.test.ts's.
    const rules = Object.entries(json.Rules).filter(
      ([, r]: [string, any]) => r.RuleCondition && JSON.stringify(r.RuleCondition).includes('AlertEmail'),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0][1]).toMatchObject({
      RuleCondition: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlertEmail' }, ''] }] },
      Assertions: [{ Assert: { 'Fn::Contains': [{ Ref: 'SubscriptionProtocols' }, 'email'] } }],
    });
  });

  test('the e-mail subscription depends on a condition', () => {
    t.hasResource('AWS::SNS::Subscription', { Condition: Match.stringLikeRegexp('HasAlertEmail') });
  });

  test('outputs the values the member StackSet needs', () => {
    t.hasOutput('EventBusArn', {});
    t.hasOutput('FunctionRoleArns', {});
    t.hasOutput('FindingsTopicArn', {});
  });

  test('outputs every dead-letter queue by ARN next to its URL', () => {
    const outputs = t.toJSON().Outputs;
    const pairs: Record<string, string> = {
      EventTargetDeadLetterQueueArn: 'EventTargetDeadLetterQueueUrl',
      OnCreateInstanceDeadLetterQueueArn: 'OnCreateInstanceDeadLetterQueueUrl',
      OnOrgEventDeadLetterQueueArn: 'OnOrgEventDeadLetterQueueUrl',
      SweepDeadLetterQueueArn: 'SweepDeadLetterQueueUrl',
      WorkerDeadLetterQueueArn: 'SweepWorkerDeadLetterQueueUrl',
      OutletsDeadLetterQueueArn: 'OutletsDeadLetterQueueUrl',
    };
    const [mapping] = Object.values(all(t, 'AWS::Lambda::EventSourceMapping'));
    const workerQueue = refId(mapping.Properties.EventSourceArn);
    // The consumers' queues (the worker's, the outlets') are not dead-letter queues.
    const consumed = Object.values(all(t, 'AWS::Lambda::EventSourceMapping')).map((m) => refId(m.Properties.EventSourceArn));
    expect(consumed).toContain(workerQueue);
    const queues = Object.keys(all(t, 'AWS::SQS::Queue')).filter((q) => !consumed.includes(q));
    const named = Object.entries(pairs).map(([arn, url]) => {
      expect(outputs[arn].Value['Fn::GetAtt'][1]).toBe('Arn');
      expect(refId(outputs[arn].Value)).toBe(refId(outputs[url].Value));
      return refId(outputs[arn].Value);
    });
    expect(named.sort()).toEqual(queues.sort());
  });

  test('the exemptions are parameters of every function', () => {
    t.hasParameter('Exemptions', { Type: 'String', Default: '', MaxLength: 3000 });
    t.hasParameter('ExemptTagPolicyId', { Type: 'String', Default: '', AllowedPattern: '^$|^p-[0-9a-z]{8,128}$' });
    for (const name of REMEDIATION_FUNCTION_NAMES) {
      expect(all(t, 'AWS::Lambda::Function')[fnId(t, name)].Properties.Environment.Variables).toMatchObject({
        EXEMPTIONS: { Ref: 'Exemptions' },
        EXEMPT_TAG_POLICY_ID: { Ref: 'ExemptTagPolicyId' },
      });
    }
    // The outlets judge nothing: no exemptions.
    expect(all(t, 'AWS::Lambda::Function')[fnId(t, 'outlets')].Properties.Environment.Variables.EXEMPTIONS).toBeUndefined();
  });

  test('FunctionRoleArns names all four function roles, not the outlets role', () => {
    const outletsRole = refId(all(t, 'AWS::Lambda::Function')[fnId(t, 'outlets')].Properties.Role);
    const roles = Object.keys(t.findResources('AWS::IAM::Role'))
      .filter((r) => r !== outletsRole)
      .sort();
    expect(roles).toHaveLength(4);
    expect(t.toJSON().Outputs.OutletsRoleArn.Value).toEqual({ 'Fn::GetAtt': [outletsRole, 'Arn'] });
    const joined = t.toJSON().Outputs.FunctionRoleArns.Value['Fn::Join'];
    expect(joined[0]).toBe(',');
    expect(joined[1].map((v: any) => v['Fn::GetAtt'][0]).sort()).toEqual(roles);
  });

  test('the sweep settings are parameters', () => {
    const [sweepId] = Object.entries(t.findResources('AWS::Lambda::Function')).find(([, f]: [string, any]) =>
      f.Properties.Tags.some((tag: any) => tag.Value === 'sweep'),
    )!;
    const env = t.toJSON().Resources[sweepId].Properties.Environment.Variables;
    expect(env).toMatchObject({
      REGIONS: { Ref: 'Regions' },
      SWEEP_CONCURRENCY: { Ref: 'SweepConcurrency' },
      FANOUT_THRESHOLD: { Ref: 'FanoutThreshold' },
    });
  });
});

describe('cargo-lambda output', () => {
  test('a zip from --output-format zip is used as is', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'idc-guardrail-zip-'));
    try {
      for (const name of FUNCTION_NAMES) {
        fs.mkdirSync(path.join(root, name));
        fs.writeFileSync(path.join(root, name, 'bootstrap.zip'), 'PK\u0005\u0006' + '\u0000'.repeat(18));
      }
      synth({ codeRoot: root }).resourceCountIs('AWS::Lambda::Function', 4);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
