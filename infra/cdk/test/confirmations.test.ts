// The delayed confirmation of every announced delete: before each DeleteInstance, every
// function (the sweep worker included) queues one on the worker queue, which the worker consumes.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IdcGuardrail } from '../lib/idc-guardrail';
import { IdcGuardrailStack } from '../bin/app';
import { placeholderCodeRoot } from './placeholder-code';

const FUNCTION_NAMES = ['on-create-instance', 'on-org-event', 'sweep', 'sweep-worker'];
// The statement that lets each function queue its confirmations: the sweep's fan-out statement,
// on the same queue, covers its own.
const CONFIRMATION_SIDS: Record<string, string> = {
  'on-create-instance': 'QueueConfirmations',
  'on-org-event': 'QueueConfirmations',
  sweep: 'FanOutToSweepWorkers',
  'sweep-worker': 'QueueConfirmations',
};
// SQS delays a message by at most 15 minutes.
const LONGEST_DELAY_SECONDS = 900;

const codeRoot = placeholderCodeRoot();

const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
new IdcGuardrail(stack, 'Guardrail', { organizationId: 'o-abcdef1234', codeRoot });
const template = Template.fromStack(stack);

type Res = { Type: string; Properties: any };
const all = (t: Template, type: string): Record<string, Res> => t.findResources(type) as Record<string, Res>;
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const refId = (v: any): string | undefined => v?.Ref ?? v?.['Fn::GetAtt']?.[0];
const fnId = (name: string): string =>
  Object.entries(all(template, 'AWS::Lambda::Function')).find(([, f]) =>
    f.Properties.Tags.some((tag: any) => tag.Key === 'idc-guardrail:function' && tag.Value === name),
  )![0];
const fnProps = (name: string) => all(template, 'AWS::Lambda::Function')[fnId(name)].Properties;
/** The statements of the function's own policy (not the conditional destination policies). */
const ownStatements = (name: string): any[] => {
  const role = refId(fnProps(name).Role);
  const [policy] = Object.values(all(template, 'AWS::IAM::Policy')).filter(
    (p) => p.Properties.PolicyName === `idc-guardrail-${name}` && refId(p.Properties.Roles[0]) === role,
  );
  return policy.Properties.PolicyDocument.Statement;
};

const [mapping] = Object.values(all(template, 'AWS::Lambda::EventSourceMapping'));
const workerQueueId = refId(mapping.Properties.EventSourceArn)!;
const workerQueue = all(template, 'AWS::SQS::Queue')[workerQueueId].Properties;

describe.each(FUNCTION_NAMES)('%s queues the confirmation of each delete', (name) => {
  test('it knows the worker queue', () => {
    expect(fnProps(name).Environment.Variables.WORKER_QUEUE_URL).toEqual({ Ref: workerQueueId });
  });

  test('it may send to the worker queue, and only there besides its own dead letters', () => {
    const statements = ownStatements(name);
    const confirm = statements.filter((s) => s.Sid === CONFIRMATION_SIDS[name]);
    expect(confirm).toHaveLength(1);
    expect(confirm[0]).toEqual({
      Sid: CONFIRMATION_SIDS[name],
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [workerQueueId, 'Arn'] },
    });
    const sendTo = statements
      .filter((s) => asList<string>(s.Action).includes('sqs:SendMessage'))
      .map((s) => refId(s.Resource))
      .sort();
    const deadLetter = fnProps(name).DeadLetterConfig?.TargetArn;
    expect(sendTo).toEqual([workerQueueId, ...(deadLetter ? [refId(deadLetter)] : [])].sort());
  });

  test('it may encrypt for the worker queue: the guardrail key, through SQS', () => {
    const keyId = refId(workerQueue.KmsMasterKeyId)!;
    const useKey = ownStatements(name).find((s) => s.Sid === 'UseGuardrailKey');
    expect(useKey.Resource).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(asList(useKey.Action)).toEqual(expect.arrayContaining(['kms:GenerateDataKey', 'kms:Decrypt']));
    const keyPolicy = all(template, 'AWS::KMS::Key')[keyId].Properties.KeyPolicy.Statement;
    const via = keyPolicy.find((s: any) => s.Sid === 'FunctionsUseKeyViaSnsAndSqs');
    expect(via.Principal.AWS.map(refId)).toContain(refId(fnProps(name).Role));
    expect(asList(via.Action)).toEqual(expect.arrayContaining(['kms:GenerateDataKey', 'kms:Decrypt']));
    expect(JSON.stringify(via.Condition.StringEquals['kms:ViaService'])).toContain('sqs.');
  });
});

describe('the worker queue carries the confirmations', () => {
  test('a standard queue that delays nothing itself: each confirmation sets its own DelaySeconds', () => {
    expect(workerQueue.FifoQueue).toBeUndefined();
    expect(workerQueue.DelaySeconds ?? 0).toBe(0);
    // A confirmation carries a whole finding: the default maximum size.
    expect(workerQueue.MaximumMessageSize).toBeUndefined();
  });

  test('the worker sees every message, and a confirmation outlives its delay and its receives', () => {
    expect(mapping.Properties.FilterCriteria).toBeUndefined();
    expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    const { maxReceiveCount } = workerQueue.RedrivePolicy;
    expect(workerQueue.MessageRetentionPeriod).toBeGreaterThan(
      LONGEST_DELAY_SECONDS + maxReceiveCount * workerQueue.VisibilityTimeout,
    );
    expect(workerQueue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fnProps('sweep-worker').Timeout);
  });

  test('the worker dead-letter queue says it holds confirmations too', () => {
    const alarm = Object.values(all(template, 'AWS::CloudWatch::Alarm')).find((a) =>
      JSON.stringify(a.Properties.AlarmName).includes('dead-letters-sweep-worker'),
    )!;
    expect(alarm.Properties.AlarmDescription).toContain('announced deletes');
    const app = Template.fromStack(new IdcGuardrailStack(new App(), 'App', { codeRoot }));
    const outputs = app.toJSON().Outputs;
    for (const key of ['SweepWorkerDeadLetterQueueUrl', 'WorkerDeadLetterQueueArn']) {
      expect(outputs[key].Description).toContain('confirmations of announced deletes');
    }
    expect(outputs.SweepWorkerQueueUrl.Description).toContain('confirmation');
  });
});
