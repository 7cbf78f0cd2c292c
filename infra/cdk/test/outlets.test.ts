// The outlets: Security Hub and chat off the delete path, fed by their own queue from the findings
// topic; only when one of them is asked for (literals at synth time, tokens under a condition).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IdcGuardrail } from '../lib/idc-guardrail';
import { IdcGuardrailStack } from '../bin/app';
import { placeholderCodeRoot } from './placeholder-code';

const FUNCTION_NAMES = ['on-create-instance', 'on-org-event', 'sweep', 'sweep-worker', 'outlets'];
const codeRoot = placeholderCodeRoot();

type Props = Partial<ConstructorParameters<typeof IdcGuardrail>[2]>;
function synth(props: Props = {}, withStack?: (stack: Stack) => Props): Template {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
  new IdcGuardrail(stack, 'Guardrail', { organizationId: 'o-abcdef1234', codeRoot, ...props, ...withStack?.(stack) });
  return Template.fromStack(stack);
}

type Res = { Type: string; Properties: any; Condition?: string; DependsOn?: string[]; DeletionPolicy?: string };
const all = (t: Template, type: string): Record<string, Res> => t.findResources(type) as Record<string, Res>;
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const refId = (v: any): string | undefined => v?.Ref ?? v?.['Fn::GetAtt']?.[0];
const CHAT = 'arn:aws:sns:us-east-1:111111111111:chat';

/** The outlets' parts, found from the function tagged outlets (undefined without it). */
function outlets(t: Template) {
  const fns = all(t, 'AWS::Lambda::Function');
  const found = Object.entries(fns).find(([, f]) =>
    f.Properties.Tags.some((tag: any) => tag.Key === 'idc-guardrail:function' && tag.Value === 'outlets'),
  );
  if (!found) return undefined;
  const [fnId, fn] = found;
  const mappings = Object.entries(all(t, 'AWS::Lambda::EventSourceMapping')).filter(([, m]) => refId(m.Properties.FunctionName) === fnId);
  expect(mappings).toHaveLength(1);
  const [[mappingId, mapping]] = mappings;
  const queueId = refId(mapping.Properties.EventSourceArn)!;
  const queue = all(t, 'AWS::SQS::Queue')[queueId];
  const dlqId = refId(queue.Properties.RedrivePolicy.deadLetterTargetArn)!;
  const roleId = refId(fn.Properties.Role)!;
  const [subscriptionId] = Object.keys(all(t, 'AWS::SNS::Subscription')).filter(
    (k) => refId(all(t, 'AWS::SNS::Subscription')[k].Properties.Endpoint) === queueId,
  );
  const [queuePolicyId] = Object.keys(all(t, 'AWS::SQS::QueuePolicy')).filter((k) =>
    all(t, 'AWS::SQS::QueuePolicy')[k].Properties.Queues.some((q: any) => refId(q) === queueId),
  );
  const policies = Object.entries(all(t, 'AWS::IAM::Policy')).filter(([, p]) => refId(p.Properties.Roles[0]) === roleId);
  const alarms = Object.entries(all(t, 'AWS::CloudWatch::Alarm')).filter(([, a]) =>
    a.Properties.Dimensions.some((d: any) => [fnId, dlqId].includes(refId(d.Value)!)),
  );
  return { fnId, fn, mappingId, mapping, queueId, queue, dlqId, roleId, subscriptionId, queuePolicyId, policies, alarms, logGroupId: refId(fn.Properties.LoggingConfig.LogGroup)! };
}

describe('without Security Hub and chat', () => {
  const t = synth();

  test('there are no outlets at all', () => {
    expect(outlets(t)).toBeUndefined();
    t.resourceCountIs('AWS::SNS::Subscription', 0);
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    t.resourceCountIs('AWS::IAM::Role', 4);
    expect(t.toJSON().Conditions).toBeUndefined();
    const [key] = Object.values(all(t, 'AWS::KMS::Key'));
    const sids = key.Properties.KeyPolicy.Statement.map((s: any) => s.Sid);
    expect(sids).not.toContain('OutletsUseKeyViaSqs');
    expect(sids).not.toContain('FindingsTopicDeliversToOutletsQueue');
    expect(JSON.stringify(t.toJSON())).not.toContain('securityhub:');
  });

  test('the findings topic may then refuse sqs subscriptions', () => {
    expect(() => synth({ subscriptionProtocols: ['https'] })).not.toThrow();
  });
});

describe.each([
  ['Security Hub', { securityHub: 'true' }],
  ['chat', { chatTopicArn: CHAT }],
])('with %s', (_, props: Props) => {
  const t = synth(props);
  const o = outlets(t)!;

  test('the outlets exist, unconditionally', () => {
    expect(o).toBeDefined();
    for (const id of [o.fnId, o.mappingId, o.queueId, o.dlqId, o.roleId, o.subscriptionId, o.queuePolicyId, o.logGroupId]) {
      expect([id, t.toJSON().Resources[id].Condition]).toEqual([id, undefined]);
    }
    expect(o.alarms.map(([, a]) => a.Properties.AlarmName['Fn::Join'][1][1]).sort()).toEqual(['-dead-letters-outlets', '-errors-outlets']);
  });

  test('the function: 60 s, 256 MB, its own log group, exactly its environment', () => {
    const p = o.fn.Properties;
    expect([p.Timeout, p.MemorySize, p.Runtime, p.Handler, p.Architectures]).toEqual([60, 256, 'provided.al2023', 'bootstrap', ['arm64']]);
    expect(p.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' });
    const [topicId] = Object.keys(all(t, 'AWS::SNS::Topic'));
    expect(p.Environment.Variables).toEqual({
      TOPIC_ARN: { Ref: topicId },
      GUARDRAIL_NAME: { Ref: 'AWS::StackName' },
      SECURITY_HUB: props.securityHub ?? 'false',
      CHAT_TOPIC_ARN: props.chatTopicArn ?? '',
      CHAT_MIN_SEVERITY: 'HIGH',
    });
    expect(p.DeadLetterConfig).toBeUndefined();
    const group = t.toJSON().Resources[o.logGroupId];
    expect(group.Properties.LogGroupName).toEqual({ 'Fn::Join': ['', ['/idc-guardrail/', { Ref: 'AWS::StackName' }, '/outlets']] });
    expect(group.DeletionPolicy).toBe('Retain');
    // No other function uses its role, and no function that deletes knows of Security Hub or chat.
    for (const [id, f] of Object.entries(all(t, 'AWS::Lambda::Function'))) {
      if (id === o.fnId) continue;
      expect(refId(f.Properties.Role)).not.toBe(o.roleId);
      for (const v of ['SECURITY_HUB', 'CHAT_TOPIC_ARN', 'CHAT_MIN_SEVERITY']) expect(f.Properties.Environment.Variables[v]).toBeUndefined();
    }
  });

  test('its queue: encrypted, 6 x its timeout, 5 receives, then its retained dead-letter queue', () => {
    const [keyId] = Object.keys(all(t, 'AWS::KMS::Key'));
    expect(o.queue.Properties).toEqual({
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      VisibilityTimeout: 360,
      MessageRetentionPeriod: 345600,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [o.dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
    const dlq = t.toJSON().Resources[o.dlqId];
    expect(dlq.Properties).toEqual({ KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, MessageRetentionPeriod: 1209600 });
    expect([dlq.DeletionPolicy, dlq.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });

  test('the findings topic sends it every finding, raw; only the topic may send', () => {
    const [topicId] = Object.keys(all(t, 'AWS::SNS::Topic'));
    const sub = t.toJSON().Resources[o.subscriptionId];
    expect(sub.Properties).toEqual({
      TopicArn: { Ref: topicId },
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': [o.queueId, 'Arn'] },
      RawMessageDelivery: true,
      FilterPolicyScope: 'MessageAttributes',
      FilterPolicy: { message_type: ['finding'] },
    });
    expect(sub.DependsOn).toEqual([o.queuePolicyId]);
    expect(t.toJSON().Resources[o.queuePolicyId].Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'FindingsTopicMaySend',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [o.queueId, 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': { Ref: topicId } } },
      },
    ]);
  });

  test('batches of 100 within 2 s, partial failures, at most 2 at once', () => {
    expect(o.mapping.Properties).toEqual({
      EventSourceArn: { 'Fn::GetAtt': [o.queueId, 'Arn'] },
      FunctionName: { Ref: o.fnId },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  test('its role: its queue, the key to decrypt, its logs, and the destination asked for', () => {
    const byName = Object.fromEntries(o.policies.map(([, p]) => [p.Properties.PolicyName, p.Properties.PolicyDocument.Statement]));
    expect(Object.keys(byName).sort()).toEqual(
      ['idc-guardrail-outlets', props.securityHub ? 'idc-guardrail-security-hub' : 'idc-guardrail-chat'].sort(),
    );
    const [keyId] = Object.keys(all(t, 'AWS::KMS::Key'));
    expect(byName['idc-guardrail-outlets']).toEqual([
      {
        Sid: 'ConsumeOutletsQueue',
        Effect: 'Allow',
        Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
        Resource: { 'Fn::GetAtt': [o.queueId, 'Arn'] },
      },
      { Sid: 'UseGuardrailKey', Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      {
        Sid: 'WriteLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [o.logGroupId, 'Arn'] },
      },
    ]);
    // Every policy on its role is one of these, and these are on its role only.
    for (const [, p] of o.policies) expect(p.Properties.Roles).toEqual([{ Ref: o.roleId }]);
    // Not created before its policy (nor its event source mapping, which needs to receive).
    expect(o.fn.DependsOn).toContain(o.policies.find(([, p]) => p.Properties.PolicyName === 'idc-guardrail-outlets')![0]);
  });

  test('the key: the outlets role decrypts through SQS, SNS encrypts for the queue; not FunctionsUseKeyViaSnsAndSqs', () => {
    const [key] = Object.values(all(t, 'AWS::KMS::Key'));
    const st = Object.fromEntries(key.Properties.KeyPolicy.Statement.map((s: any) => [s.Sid, s]));
    expect(st.OutletsUseKeyViaSqs).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': [o.roleId, 'Arn'] } },
      Action: 'kms:Decrypt',
      Resource: '*',
    });
    expect(JSON.stringify(st.OutletsUseKeyViaSqs.Condition.StringEquals['kms:ViaService'])).toContain('"sqs."');
    expect(st.FindingsTopicDeliversToOutletsQueue).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    });
    expect(JSON.stringify(st.FindingsTopicDeliversToOutletsQueue.Condition.ArnLike['aws:SourceArn'])).toContain('":sns:"');
    expect(st.FunctionsUseKeyViaSnsAndSqs.Principal.AWS.map(refId)).not.toContain(o.roleId);
  });

  test('its code: the outlets binary of codeRoot, or the code given', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'idc-guardrail-four-'));
    try {
      for (const name of FUNCTION_NAMES.filter((n) => n !== 'outlets')) fs.cpSync(path.join(codeRoot, name), path.join(root, name), { recursive: true });
      expect(() => synth({ ...props, codeRoot: root })).toThrow(/outlets[/\\]bootstrap/);
      expect(() => synth({ codeRoot: root })).not.toThrow();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    // One Code per stack: an asset belongs to the stack that first uses it.
    const given = () => {
      const code = lambda.Code.fromAsset(path.join(codeRoot, 'outlets'));
      return { 'on-create-instance': code, 'on-org-event': code, sweep: code, 'sweep-worker': code, outlets: code };
    };
    const { outlets: _, ...four } = given();
    expect(() => synth({ ...props, codeRoot: '/nonexistent', code: four })).toThrow(/outlets[/\\]bootstrap/);
    synth({ ...props, codeRoot: '/nonexistent', code: given() }).resourceCountIs('AWS::Lambda::Function', 5);
  });

  test('the findings topic must then admit sqs subscriptions', () => {
    expect(() => synth({ ...props, subscriptionProtocols: ['https'] })).toThrow(/must include sqs/);
    expect(() => synth({ ...props, subscriptionProtocols: ['sqs'] })).not.toThrow();
  });
});

describe('under a condition (tokens)', () => {
  test('only a chat topic parameter: the outlets exist when it is set', () => {
    const t = synth({}, (stack) => ({ chatTopicArn: new CfnParameter(stack, 'ChatTopicArn', { default: '' }).valueAsString }));
    const o = outlets(t)!;
    const json = t.toJSON();
    const condition = json.Resources[o.fnId].Condition;
    expect(json.Conditions[condition]).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ChatTopicArn' }, ''] }] });
    expect(o.policies.map(([, p]) => p.Properties.PolicyName).sort()).toEqual(['idc-guardrail-chat', 'idc-guardrail-outlets']);
    // One condition, not two that say the same.
    expect(o.policies.map(([, p]) => p.Condition)).toEqual([condition, condition]);
    expect(Object.keys(json.Conditions)).toEqual([condition]);
  });

  test('a literal Security Hub makes them unconditional, whatever the chat topic', () => {
    const t = synth({ securityHub: 'true' }, (stack) => ({ chatTopicArn: new CfnParameter(stack, 'ChatTopicArn', { default: '' }).valueAsString }));
    const o = outlets(t)!;
    expect(t.toJSON().Resources[o.fnId].Condition).toBeUndefined();
    const chat = o.policies.find(([, p]) => p.Properties.PolicyName === 'idc-guardrail-chat')!;
    expect(chat[1].Condition).toBeDefined();
  });
});

describe('the app stack', () => {
  const t = Template.fromStack(new IdcGuardrailStack(new App(), 'App', { codeRoot }));
  const json = t.toJSON();
  const o = outlets(t)!;
  const HAS_OUTLETS = {
    'Fn::Or': [{ 'Fn::Equals': [{ Ref: 'SecurityHub' }, 'true'] }, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ChatTopicArn' }, ''] }] }],
  };

  test('every part exists only when SecurityHub is true or ChatTopicArn is set', () => {
    const parts = [o.fnId, o.mappingId, o.queueId, o.dlqId, o.roleId, o.subscriptionId, o.queuePolicyId, o.logGroupId, ...o.alarms.map(([id]) => id)];
    const outletsPolicy = o.policies.find(([, p]) => p.Properties.PolicyName === 'idc-guardrail-outlets')![0];
    for (const id of [...parts, outletsPolicy]) expect([id, json.Conditions[json.Resources[id].Condition]]).toEqual([id, HAS_OUTLETS]);
    // Nothing else is under it.
    const under = Object.entries(json.Resources as Record<string, Res>).filter(
      ([, r]) => r.Condition && JSON.stringify(json.Conditions[r.Condition]) === JSON.stringify(HAS_OUTLETS),
    );
    expect(under.map(([id]) => id).sort()).toEqual([...parts, outletsPolicy].sort());
  });

  test('the key statements and the outputs are conditional too', () => {
    const [key] = Object.values(all(t, 'AWS::KMS::Key'));
    const ifs = key.Properties.KeyPolicy.Statement.filter((s: any) => s['Fn::If']);
    expect(ifs.map((s: any) => [json.Conditions[s['Fn::If'][0]], s['Fn::If'][1].Sid, s['Fn::If'][2]])).toEqual([
      [HAS_OUTLETS, 'OutletsUseKeyViaSqs', { Ref: 'AWS::NoValue' }],
      [HAS_OUTLETS, 'FindingsTopicDeliversToOutletsQueue', { Ref: 'AWS::NoValue' }],
    ]);
    for (const name of ['OutletsDeadLetterQueueArn', 'OutletsDeadLetterQueueUrl', 'OutletsRoleArn']) {
      expect([name, json.Conditions[json.Outputs[name].Condition]]).toEqual([name, HAS_OUTLETS]);
    }
    expect(refId(json.Outputs.OutletsDeadLetterQueueArn.Value)).toBe(o.dlqId);
    expect(json.Outputs.OutletsDeadLetterQueueArn.Description).toContain('Security Hub');
  });

  test('the findings topic must admit sqs when the outlets exist', () => {
    const rules = Object.values(json.Rules as Record<string, any>).filter(
      (r) => r.RuleCondition && JSON.stringify(r.Assertions).includes('"sqs"'),
    );
    expect(rules).toEqual([
      {
        RuleCondition: HAS_OUTLETS,
        Assertions: [
          {
            Assert: { 'Fn::Contains': [{ Ref: 'SubscriptionProtocols' }, 'sqs'] },
            AssertDescription: 'SecurityHub or ChatTopicArn subscribes the outlets queue to the findings topic, so SubscriptionProtocols must include sqs.',
          },
        ],
      },
    ]);
  });

  test('the outlets function reads the parameters', () => {
    expect(o.fn.Properties.Environment.Variables).toMatchObject({
      SECURITY_HUB: { Ref: 'SecurityHub' },
      CHAT_TOPIC_ARN: { Ref: 'ChatTopicArn' },
      CHAT_MIN_SEVERITY: { Ref: 'ChatMinSeverity' },
    });
    expect(asList(o.fn.Properties.Architectures)).toEqual([{ Ref: 'Architecture' }]);
  });
});
