// Watching the watcher (alarms) and the findings' other destinations (Security Hub, chat: the
// outlets, see outlets.test.ts).
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IdcGuardrail } from '../lib/idc-guardrail';
import { IdcGuardrailStack } from '../bin/app';
import { placeholderCodeRoot } from './placeholder-code';

const codeRoot = placeholderCodeRoot();

function synth(props: Partial<ConstructorParameters<typeof IdcGuardrail>[2]> = {}): Template {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
  new IdcGuardrail(stack, 'Guardrail', { organizationId: 'o-abcdef1234', codeRoot, ...props });
  return Template.fromStack(stack);
}

type Res = { Type: string; Properties: any; Condition?: string };
const all = (t: Template, type: string): Record<string, Res> => t.findResources(type) as Record<string, Res>;
const refId = (v: any): string | undefined => v?.Ref ?? v?.['Fn::GetAtt']?.[0];
/** Alarm name without the stack name in front -> properties. */
const alarms = (t: Template): Record<string, any> =>
  Object.fromEntries(
    Object.values(all(t, 'AWS::CloudWatch::Alarm')).map((a) => {
      const [, parts] = a.Properties.AlarmName['Fn::Join'];
      expect(parts[0]).toEqual({ Ref: 'AWS::StackName' });
      return [parts[1].replace(/^-/, ''), a.Properties];
    }),
  );

describe('alarms', () => {
  const t = synth();
  const found = alarms(t);
  const [topicId] = Object.keys(all(t, 'AWS::SNS::Topic'));

  test('thirteen alarms, each to the findings topic by default, on alarm and on recovery', () => {
    expect(Object.keys(found).sort()).toEqual([
      'dead-letters-event-target',
      'dead-letters-on-create-instance',
      'dead-letters-on-org-event',
      'dead-letters-sweep',
      'dead-letters-sweep-worker',
      'errors-on-create-instance',
      'errors-on-org-event',
      'errors-sweep',
      'errors-sweep-worker',
      'sweep-coverage-gaps',
      'sweep-not-completed',
      'sweep-unknown-facts',
      'sweep-unreachable',
    ]);
    for (const p of Object.values(found)) {
      expect(p.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(p.OKActions).toEqual([{ Ref: topicId }]);
      expect(p.EvaluationPeriods).toBe(1);
    }
  });

  test('with the outlets, fifteen: their dead letters and their errors too', () => {
    const withOutlets = alarms(synth({ securityHub: 'true' }));
    expect(Object.keys(withOutlets)).toHaveLength(15);
    expect(withOutlets['dead-letters-outlets'].AlarmDescription).toContain('Security Hub');
    expect(withOutlets['errors-outlets'].MetricName).toBe('Errors');
  });

  test('every queue but the worker queue is a dead-letter queue with an alarm', () => {
    const queues = Object.keys(all(t, 'AWS::SQS::Queue'));
    const [mapping] = Object.values(all(t, 'AWS::Lambda::EventSourceMapping'));
    const workerQueue = refId(mapping.Properties.EventSourceArn);
    const watched = Object.entries(found)
      .filter(([n]) => n.startsWith('dead-letters-'))
      .map(([, p]) => {
        expect(p).toMatchObject({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Statistic: 'Maximum',
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 0,
          TreatMissingData: 'notBreaching',
        });
        expect(p.Dimensions[0].Value['Fn::GetAtt'][1]).toBe('QueueName');
        return refId(p.Dimensions[0].Value);
      });
    expect(watched.sort()).toEqual(queues.filter((q) => q !== workerQueue).sort());
  });

  test('every function has an errors alarm', () => {
    const fns = all(t, 'AWS::Lambda::Function');
    for (const [id, f] of Object.entries(fns)) {
      const name = f.Properties.Tags.find((tag: any) => tag.Key === 'idc-guardrail:function').Value;
      expect(found[`errors-${name}`]).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }],
        Statistic: 'Sum',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
    }
  });

  test('the sweep alarms read the metrics the functions emit, over the schedule period', () => {
    const dims = [{ Name: 'Guardrail', Value: { Ref: 'AWS::StackName' } }];
    expect(found['sweep-unreachable']).toMatchObject({
      Namespace: 'IdcGuardrail',
      MetricName: 'SweepUnreachable',
      Dimensions: dims,
      Statistic: 'Sum',
      Period: 86400,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      TreatMissingData: 'notBreaching',
    });
    // A sweep that never ran reports nothing: missing data alarms.
    expect(found['sweep-not-completed']).toMatchObject({
      Namespace: 'IdcGuardrail',
      MetricName: 'SweepCompleted',
      Dimensions: dims,
      Statistic: 'Sum',
      Period: 86400,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    // With deletion on, a decision held at dry_run by an unknown fact; member accounts the
    // guardrail can no longer see or act in: any one alarms, within the sweep period.
    for (const [name, metric] of [
      ['sweep-unknown-facts', 'SweepUnknownFacts'],
      ['sweep-coverage-gaps', 'SweepCoverageGaps'],
    ]) {
      expect(found[name]).toMatchObject({
        Namespace: 'IdcGuardrail',
        MetricName: metric,
        Dimensions: dims,
        Statistic: 'Sum',
        Period: 86400,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        TreatMissingData: 'notBreaching',
      });
    }
    // The functions name the same dimension value.
    for (const f of Object.values(all(t, 'AWS::Lambda::Function'))) {
      expect(f.Properties.Environment.Variables.GUARDRAIL_NAME).toEqual({ Ref: 'AWS::StackName' });
    }
  });

  test('an operations topic takes the alarms', () => {
    const ops = 'arn:aws:sns:us-east-1:111111111111:ops';
    for (const p of Object.values(alarms(synth({ operationsTopicArn: ops })))) expect(p.AlarmActions).toEqual([ops]);
  });

  test('the period must be the schedule period', () => {
    expect(() => synth({ sweepSchedule: 'rate(12 hours)' })).toThrow(/must be 43200/);
    const t12 = alarms(synth({ sweepSchedule: 'rate(12 hours)', sweepPeriodSeconds: 43200 }));
    expect(t12['sweep-not-completed'].Period).toBe(43200);
    expect(t12['sweep-unknown-facts'].Period).toBe(43200);
    expect(t12['sweep-coverage-gaps'].Period).toBe(43200);
    expect(() => synth({ sweepSchedule: 'cron(0 3 * * ? *)', sweepPeriodSeconds: 1000 })).toThrow(/one of/);
  });
});

describe('Security Hub and chat', () => {
  const policiesOf = (t: Template) => Object.values(all(t, 'AWS::IAM::Policy')).map((p) => p.Properties.PolicyName);
  const tagged = (t: Template, name: string) =>
    Object.entries(all(t, 'AWS::Lambda::Function')).find(([, f]) =>
      f.Properties.Tags.some((tag: any) => tag.Key === 'idc-guardrail:function' && tag.Value === name),
    );
  const outletsRole = (t: Template) => refId(tagged(t, 'outlets')![1].Properties.Role);

  test('neither by default: no outlets, and no function knows of them', () => {
    const t = synth();
    expect(policiesOf(t)).not.toContain('idc-guardrail-security-hub');
    expect(policiesOf(t)).not.toContain('idc-guardrail-chat');
    expect(tagged(t, 'outlets')).toBeUndefined();
    for (const f of Object.values(all(t, 'AWS::Lambda::Function'))) {
      const env = f.Properties.Environment.Variables;
      for (const v of ['SECURITY_HUB', 'CHAT_TOPIC_ARN', 'CHAT_MIN_SEVERITY']) expect(env[v]).toBeUndefined();
    }
  });

  test('Security Hub: BatchImportFindings on the own default product, BatchUpdateFindings on the own hub, for the outlets only', () => {
    const t = synth({ securityHub: 'true' });
    const [p] = Object.values(all(t, 'AWS::IAM::Policy')).filter((x) => x.Properties.PolicyName === 'idc-guardrail-security-hub');
    expect(p.Properties.Roles).toEqual([{ Ref: outletsRole(t) }]);
    expect(p.Condition).toBeUndefined();
    const [s, resolve] = p.Properties.PolicyDocument.Statement;
    expect(s.Action).toBe('securityhub:BatchImportFindings');
    expect(JSON.stringify(s.Resource)).toContain(':product/');
    expect(JSON.stringify(s.Resource)).toContain('/default');
    expect(resolve.Action).toBe('securityhub:BatchUpdateFindings');
    expect(JSON.stringify(resolve.Resource)).toContain(':hub/default');
    expect(policiesOf(t)).not.toContain('idc-guardrail-chat');
    expect(tagged(t, 'outlets')![1].Properties.Environment.Variables).toMatchObject({ SECURITY_HUB: 'true', CHAT_TOPIC_ARN: '' });
    // No other policy grants a Security Hub action.
    for (const other of Object.values(all(t, 'AWS::IAM::Policy')).filter((x) => x !== p)) {
      expect(JSON.stringify(other.Properties.PolicyDocument)).not.toContain('securityhub:');
    }
    expect(() => synth({ securityHub: 'yes' })).toThrow(/'true' or 'false'/);
  });

  test('chat: Publish on the chat topic only, by the outlets only', () => {
    const chat = 'arn:aws:sns:us-east-1:111111111111:chat';
    const t = synth({ chatTopicArn: chat, chatMinSeverity: 'CRITICAL' });
    const [p] = Object.values(all(t, 'AWS::IAM::Policy')).filter((x) => x.Properties.PolicyName === 'idc-guardrail-chat');
    expect(p.Properties.PolicyDocument.Statement).toEqual([{ Sid: 'PublishChatNotices', Effect: 'Allow', Action: 'sns:Publish', Resource: chat }]);
    expect(p.Properties.Roles).toEqual([{ Ref: outletsRole(t) }]);
    expect(policiesOf(t)).not.toContain('idc-guardrail-security-hub');
    expect(tagged(t, 'outlets')![1].Properties.Environment.Variables).toMatchObject({
      SECURITY_HUB: 'false',
      CHAT_TOPIC_ARN: chat,
      CHAT_MIN_SEVERITY: 'CRITICAL',
    });
    expect(() => synth({ chatTopicArn: 'chat' })).toThrow(/SNS topic ARN/);
  });
});

describe('the app stack', () => {
  const t = Template.fromStack(new IdcGuardrailStack(new App(), 'App', { codeRoot }));
  const json = t.toJSON();

  test('the destinations are parameters and their policies exist only under a condition', () => {
    t.hasParameter('SecurityHub', { Default: 'false', AllowedValues: ['true', 'false'] });
    t.hasParameter('ChatTopicArn', { Default: '' });
    t.hasParameter('ChatMinSeverity', { Default: 'HIGH', AllowedValues: ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] });
    const conditional = Object.fromEntries(
      Object.values(all(t, 'AWS::IAM::Policy'))
        .filter((p) => p.Condition)
        .map((p) => [p.Properties.PolicyName, json.Conditions[p.Condition!]]),
    );
    const chat = { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ChatTopicArn' }, ''] }] };
    const securityHub = { 'Fn::Equals': [{ Ref: 'SecurityHub' }, 'true'] };
    expect(conditional).toEqual({
      'idc-guardrail-security-hub': securityHub,
      'idc-guardrail-chat': chat,
      // The outlets' own policy, whenever they exist.
      'idc-guardrail-outlets': { 'Fn::Or': [securityHub, chat] },
    });
  });

  test('the alarms go to OperationsTopicArn when it is set', () => {
    const [a] = Object.values(all(t, 'AWS::CloudWatch::Alarm'));
    const [condition, ops] = a.Properties.AlarmActions[0]['Fn::If'];
    expect(json.Conditions[condition]).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'OperationsTopicArn' }, ''] }] });
    expect(ops).toEqual({ Ref: 'OperationsTopicArn' });
  });

  test('a known rate() schedule must come with its period', () => {
    const [rule] = Object.entries(json.Rules).filter(([id]) => id.includes('SweepPeriodMatchesTheSchedule'));
    expect(rule).toBeDefined();
    expect((rule[1] as any).Assertions).toHaveLength(8);
    t.hasParameter('SweepPeriodSeconds', { Type: 'Number', Default: '86400' });
  });
});
