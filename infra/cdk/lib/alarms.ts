import { Aws, CfnCondition, CfnRule, Fn, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_NAMES, FunctionName } from './patterns';
import { pascal } from './function-specs';

/**
 * The metrics the functions emit as CloudWatch Embedded Metric Format records: namespace
 * IdcGuardrail, dimension Guardrail = GUARDRAIL_NAME (the stack's name). SweepCompleted is 1 per
 * sweep that listed every account and Region it meant to; SweepUnreachable counts the
 * account/Region pairs it could not; SweepUnknownFacts the decisions held at dry_run by an
 * unknown fact while deletion is on; SweepCoverageGaps the member accounts where the guardrail
 * can no longer see or act.
 */
export const METRICS_NAMESPACE = 'IdcGuardrail';

/** Known rate() schedules and their period (infra/template.yaml's SweepPeriodMatchesTheSchedule). */
export const SWEEP_PERIODS: ReadonlyArray<[string, number]> = [
  ['rate(15 minutes)', 900],
  ['rate(30 minutes)', 1800],
  ['rate(1 hour)', 3600],
  ['rate(3 hours)', 10800],
  ['rate(6 hours)', 21600],
  ['rate(12 hours)', 43200],
  ['rate(1 day)', 86400],
  ['rate(7 days)', 604800],
];

/** The sweep alarms' window is the schedule's period: a known rate() must come with its period. */
export function checkSweepPeriod(scope: Construct, schedule: string, period: number): void {
  if (!Token.isUnresolved(schedule) && !Token.isUnresolved(period)) {
    if (!SWEEP_PERIODS.some(([, s]) => s === period)) {
      throw new Error(`idc-guardrail: sweepPeriodSeconds must be one of ${SWEEP_PERIODS.map(([, s]) => s).join(', ')}`);
    }
    const known = SWEEP_PERIODS.find(([r]) => r === schedule);
    if (known && known[1] !== period) {
      throw new Error(`idc-guardrail: sweepSchedule ${schedule} runs every ${known[1]} seconds, so sweepPeriodSeconds must be ${known[1]}`);
    }
    return;
  }
  new CfnRule(scope, 'SweepPeriodMatchesTheSchedule', {
    assertions: SWEEP_PERIODS.map(([rate, seconds]) => ({
      assert: Fn.conditionOr(
        Fn.conditionNot(Fn.conditionEquals(schedule, rate)),
        Fn.conditionEquals(period, `${seconds}`),
      ),
      assertDescription: `SweepSchedule ${rate} runs every ${seconds} seconds, so SweepPeriodSeconds must be ${seconds}.`,
    })),
  });
}

/** Where the alarms go: the operations topic when given ('' = none), else the findings topic. */
export function alarmTopicArn(scope: Construct, operationsTopicArn: string | undefined, findingsTopicArn: string): string {
  if (operationsTopicArn === undefined || (!Token.isUnresolved(operationsTopicArn) && operationsTopicArn === '')) {
    return findingsTopicArn;
  }
  if (!Token.isUnresolved(operationsTopicArn)) return operationsTopicArn;
  const has = new CfnCondition(scope, 'HasOperationsTopic', {
    expression: Fn.conditionNot(Fn.conditionEquals(operationsTopicArn, '')),
  });
  return Fn.conditionIf(has.logicalId, operationsTopicArn, findingsTopicArn).toString();
}

export interface AlarmsProps {
  readonly topicArn: string;
  readonly sweepPeriodSeconds: number;
  /** Every function that exists (the outlets only with Security Hub or chat). */
  readonly functions: Partial<Record<FunctionName, lambda.Function>>;
  /** Dead-letter queue name (kebab-case, as in the alarm name) -> queue. */
  readonly deadLetterQueues: Record<string, sqs.IQueue>;
  /** Alarm name (without the stack name) -> the condition it exists under (the outlets'). */
  readonly conditions?: Record<string, CfnCondition>;
}

/**
 * Watching the watcher (same alarms as infra/stacks/alarms.yaml): any message in any
 * dead-letter queue, any error of any function (the outlets' under their condition), a sweep that could not reach an account or
 * Region, held a deletion at dry_run for an unknown fact, or found an account the guardrail can
 * no longer see or act in, and a period without a completed sweep (missing data is breaching: a
 * sweep that never ran reports nothing). Named <stack>-..., the names the findings topic's policy admits.
 */
export function createAlarms(scope: Construct, props: AlarmsProps): Record<string, cloudwatch.CfnAlarm> {
  const alarms: Record<string, cloudwatch.CfnAlarm> = {};
  const alarm = (id: string, name: string, p: Omit<cloudwatch.CfnAlarmProps, 'alarmName' | 'evaluationPeriods'>) => {
    alarms[name] = new cloudwatch.CfnAlarm(scope, id, {
      alarmName: `${Aws.STACK_NAME}-${name}`,
      evaluationPeriods: 1,
      alarmActions: [props.topicArn],
      okActions: [props.topicArn],
      ...p,
    });
    const condition = props.conditions?.[name];
    if (condition) alarms[name].cfnOptions.condition = condition;
    // The synth-time validation reads both branches of the topic's Fn::If: the empty
    // OperationsTopicArn is the branch that is never taken.
    Validations.of(alarms[name]).acknowledge({
      id: 'CloudFormation-Validate::W1030',
      reason: 'an empty OperationsTopicArn selects the findings topic (Fn::If)',
    });
  };
  const dlqWhat: Record<string, string> = {
    'event-target': 'events EventBridge could not deliver to a function',
    'on-create-instance': 'events on-create-instance failed on after its retries',
    'on-org-event': 'events on-org-event failed on after its retries',
    sweep: 'sweeps that failed after their retries',
    'sweep-worker': 'accounts the sweep worker failed on 3 times, or of announced deletes whose instance was still listed',
    // Not on the delete path: the deletions were not held up by it.
    outlets: 'findings the outlets function could not import into Security Hub or post to chat in 5 attempts',
  };
  for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
    alarm(`${pascal(name)}DeadLetterQueueAlarm`, `dead-letters-${name}`, {
      alarmDescription: `idc-guardrail: a message in the dead-letter queue of ${dlqWhat[name]}`,
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: [{ name: 'QueueName', value: queue.queueName }],
      statistic: 'Maximum',
      period: 300,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 0,
      treatMissingData: 'notBreaching',
    });
  }
  for (const name of FUNCTION_NAMES) {
    const fn = props.functions[name];
    if (!fn) continue;
    alarm(`${pascal(name)}ErrorsAlarm`, `errors-${name}`, {
      alarmDescription: `idc-guardrail: the ${name} function failed`,
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: [{ name: 'FunctionName', value: fn.functionName }],
      statistic: 'Sum',
      period: 300,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 0,
      treatMissingData: 'notBreaching',
    });
  }
  const sweep = (metricName: string) => ({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensions: [{ name: 'Guardrail', value: Aws.STACK_NAME }],
    statistic: 'Sum',
    period: props.sweepPeriodSeconds,
  });
  alarm('SweepUnreachableAlarm', 'sweep-unreachable', {
    alarmDescription: "idc-guardrail: the sweep could not reach an account or Region (see the sweep summary's unreachable list)",
    ...sweep('SweepUnreachable'),
    comparisonOperator: 'GreaterThanThreshold',
    threshold: 0,
    treatMissingData: 'notBreaching',
  });
  // Deletion is on, yet a decision stayed at dry_run because a fact could not be learnt.
  alarm('SweepUnknownFactsAlarm', 'sweep-unknown-facts', {
    alarmDescription:
      'idc-guardrail: with deletion on, the sweep held a decision at dry_run because a fact was unknown (e.g. a member denied the remediation role sso:ListApplications)',
    ...sweep('SweepUnknownFacts'),
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    threshold: 1,
    treatMissingData: 'notBreaching',
  });
  // The guardrail is going blind in a member account.
  alarm('SweepCoverageGapsAlarm', 'sweep-coverage-gaps', {
    alarmDescription:
      'idc-guardrail: member accounts where the guardrail can no longer see or act (member role not assumable, forwarding rule missing or disabled in a Region)',
    ...sweep('SweepCoverageGaps'),
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    threshold: 1,
    treatMissingData: 'notBreaching',
  });
  alarm('SweepNotCompletedAlarm', 'sweep-not-completed', {
    alarmDescription: 'idc-guardrail: no sweep completed within SweepPeriodSeconds',
    ...sweep('SweepCompleted'),
    comparisonOperator: 'LessThanThreshold',
    threshold: 1,
    treatMissingData: 'breaching',
  });
  return alarms;
}
