// The functions' logs (JSON, at the LogLevel parameter's level) and what outlives the stack
// (dead-letter queues and log groups, as the key), as in infra/template.yaml.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { APPLICATION_LOG_LEVELS, IdcGuardrail } from '../lib/idc-guardrail';
import { IdcGuardrailStack } from '../bin/app';
import { placeholderCodeRoot } from './placeholder-code';

const FUNCTION_NAMES = ['on-create-instance', 'on-org-event', 'sweep', 'sweep-worker', 'outlets'];
const codeRoot = placeholderCodeRoot();

type Res = { Type: string; Properties: any; DeletionPolicy?: string; UpdateReplacePolicy?: string };
const all = (t: Template, type: string): Record<string, Res> => t.findResources(type) as Record<string, Res>;
const app = Template.fromStack(new IdcGuardrailStack(new App(), 'App', { codeRoot }));

function construct(props: Partial<ConstructorParameters<typeof IdcGuardrail>[2]> = {}): Template {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
  new IdcGuardrail(stack, 'Guardrail', { organizationId: 'o-abcdef1234', codeRoot, ...props });
  return Template.fromStack(stack);
}

describe('logs', () => {
  test('every function logs JSON at the LogLevel parameter, Lambda itself from WARN, no RUST_LOG', () => {
    const functions = Object.values(all(app, 'AWS::Lambda::Function'));
    expect(functions).toHaveLength(FUNCTION_NAMES.length);
    for (const fn of functions) {
      const config = fn.Properties.LoggingConfig;
      expect(config.LogFormat).toBe('JSON');
      expect(config.ApplicationLogLevel).toEqual({ Ref: 'LogLevel' });
      expect(config.SystemLogLevel).toBe('WARN');
      expect(config.LogGroup).toBeDefined();
      expect(fn.Properties.Environment.Variables).not.toHaveProperty('RUST_LOG');
    }
    const parameter = app.toJSON().Parameters.LogLevel;
    expect(parameter.Default).toBe('INFO');
    expect(parameter.AllowedValues).toEqual([...APPLICATION_LOG_LEVELS]);
  });

  test('the construct takes a level of its own, and refuses one Lambda does not know', () => {
    for (const fn of Object.values(all(construct({ logLevel: 'DEBUG' }), 'AWS::Lambda::Function'))) {
      expect(fn.Properties.LoggingConfig.ApplicationLogLevel).toBe('DEBUG');
    }
    for (const fn of Object.values(all(construct(), 'AWS::Lambda::Function'))) {
      expect(fn.Properties.LoggingConfig.ApplicationLogLevel).toBe('INFO');
    }
    expect(() => construct({ logLevel: 'info' })).toThrow(/logLevel info/);
  });
});

describe('what outlives the stack', () => {
  const retained = (r: Res) => r.DeletionPolicy === 'Retain' && r.UpdateReplacePolicy === 'Retain';

  test('every dead-letter queue and log group is retained, like the key', () => {
    const groups = Object.values(all(app, 'AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(FUNCTION_NAMES.length);
    expect(groups.every(retained)).toBe(true);
    expect(Object.values(all(app, 'AWS::KMS::Key')).every(retained)).toBe(true);
    const queues = all(app, 'AWS::SQS::Queue');
    // The queues consumed by a function: the sweep worker's and the outlets'.
    const consumed = Object.entries(queues).filter(([, q]) => q.Properties.RedrivePolicy);
    expect(consumed).toHaveLength(2);
    const deadLetters = Object.entries(queues).filter(([, q]) => !q.Properties.RedrivePolicy);
    // One per function and the rules' own.
    expect(deadLetters).toHaveLength(FUNCTION_NAMES.length + 1);
    expect(deadLetters.every(([, q]) => retained(q))).toBe(true);
    // The worker queue's messages are stale by the next sweep, the outlets queue's are retried
    // into its dead-letter queue: both go with the stack.
    expect(consumed.some(([, q]) => retained(q))).toBe(false);
  });
});
