#!/usr/bin/env node
// The idc-guardrail central stack as a CDK app. Same parameters, resources and
// permissions as infra/template.yaml (SAM).
//
//   npx cdk synth                          # code from <repo>/target/lambda (make package)
//   npx cdk synth -c codeRoot=/some/dir    # any directory of <name>/bootstrap
//   npx cdk deploy --profile P --region R --parameters OrganizationId=o-abc123def4
import * as path from 'path';
import { App, CfnCondition, CfnOutput, CfnParameter, Fn, Stack, StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  APPLICATION_LOG_LEVELS,
  CHAT_SEVERITIES,
  DEFAULT_SUBSCRIPTION_PROTOCOLS,
  EXEMPT_TAG_POLICY_ID_PATTERN,
  EXEMPTIONS_MAX_LENGTH,
  EXEMPTIONS_PATTERN,
  IdcGuardrail,
  SWEEP_PERIODS,
  TOPIC_ARN_PATTERN,
  SUBSCRIBER_PRINCIPALS_PATTERN,
  SUBSCRIPTION_PROTOCOLS,
} from '../lib/idc-guardrail';
import { REMEDIATION_FUNCTION_NAMES } from '../lib/patterns';

export interface IdcGuardrailStackProps extends StackProps {
  readonly codeRoot?: string;
  readonly code?: ConstructorParameters<typeof IdcGuardrail>[2]['code'];
}

export class IdcGuardrailStack extends Stack {
  readonly guardrail: IdcGuardrail;

  constructor(scope: Construct, id: string, props: IdcGuardrailStackProps = {}) {
    super(scope, id, props);
    const p = (name: string, spec: ConstructorParameters<typeof CfnParameter>[2]) => new CfnParameter(this, name, spec);
    const bool = (name: string, description: string) =>
      p(name, { type: 'String', default: 'false', allowedValues: ['true', 'false'], description });

    const organizationId = p('OrganizationId', {
      type: 'String',
      allowedPattern: '^o-[a-z0-9]{10,32}$',
      description: 'The organization id (o-xxxxxxxxxx).',
    });
    const managementAccountId = p('ManagementAccountId', {
      type: 'String',
      default: '',
      allowedPattern: '^([0-9]{12})?$',
      description: 'Optional. The management account id; left empty, the functions ask Organizations.',
    });
    const memberRoleName = p('MemberRoleName', {
      type: 'String',
      default: 'IdcGuardrailRemediation',
      allowedPattern: '^[A-Za-z0-9+=,.@_-]{1,64}$',
      description: 'Name of the role the member StackSet creates in every account.',
    });
    const eventBusName = p('EventBusName', {
      type: 'String',
      default: 'idc-guardrail',
      allowedPattern: '^[A-Za-z0-9._-]{1,58}$',
      description:
        "Name of the central event bus the member accounts forward to. The sweep's schedule rule is named <EventBusName>-sweep, hence at most 58 characters.",
    });
    const autoRemediate = bool('AutoRemediate', 'Delete remediable account instances (report only when false).');
    const dryRun = bool('DryRun', 'With AutoRemediate=true, report what would be deleted instead of deleting.');
    const forceDeleteInUse = bool('ForceDeleteInUse', 'Also delete account instances that have applications bound.');
    const exemptAccounts = p('ExemptAccounts', {
      type: 'String',
      default: '',
      allowedPattern: '^([0-9]{12}(,[0-9]{12})*)?$',
      description: 'Comma-separated account ids whose account instances are never deleted.',
    });
    const exemptTag = p('ExemptTag', {
      type: 'String',
      default: '',
      description: 'Tag key that exempts an account instance for TrialDays days, only while the SCP ExemptTagPolicyId protects it (empty = no tag exemption).',
    });
    const exemptions = p('Exemptions', {
      type: 'String',
      default: '',
      maxLength: EXEMPTIONS_MAX_LENGTH,
      allowedPattern: EXEMPTIONS_PATTERN,
      description:
        'Central exemptions (EXEMPTIONS), a JSON list, e.g. ' +
        '[{"account":"222222222222","expires":"2027-01-31","reason":"QuickSight trial, SEC-123"}], or with "instance_arn" instead of "account". ' +
        'Held centrally, so only the security team can grant one; each needs an expiry, and past it the instance is reported as IDC005. ' +
        "Empty = none. At most 3000 characters: a Lambda function's environment is limited to 4 KB in total.",
    });
    const exemptTagPolicyId = p('ExemptTagPolicyId', {
      type: 'String',
      default: '',
      allowedPattern: EXEMPT_TAG_POLICY_ID_PATTERN,
      description:
        'Id (p-...) of the attached SCP that protects ExemptTag, so that only the security team can set or remove the tag ' +
        '(EXEMPT_TAG_POLICY_ID). Without it the tag is no exemption.',
    });
    const trialDays = p('TrialDays', { type: 'Number', default: 30, minValue: 0, maxValue: 3650 });
    const alertEmail = p('AlertEmail', {
      type: 'String',
      default: '',
      description: 'Optional e-mail address subscribed to the findings topic. Needs email in SubscriptionProtocols.',
    });
    const subscriptionProtocols = p('SubscriptionProtocols', {
      type: 'CommaDelimitedList',
      default: DEFAULT_SUBSCRIPTION_PROTOCOLS.join(','),
      allowedValues: SUBSCRIPTION_PROTOCOLS,
      description:
        'Protocols the findings topic accepts subscriptions for (sns:Protocol); every other protocol is denied to every principal. ' +
        'Findings name accounts, principals and instances: http sends them unencrypted and is not a default; sms and mobile push are not offered.',
    });
    const subscriberPrincipals = p('SubscriberPrincipals', {
      type: 'String',
      default: '',
      allowedPattern: SUBSCRIBER_PRINCIPALS_PATTERN,
      description:
        'Comma-separated IAM principal ARNs (aws:PrincipalArn, wildcards allowed after the account) that may subscribe to the findings topic ' +
        'besides the principals of this account. Each must name its 12-digit account and belong to OrganizationId. Empty = this account only.',
    });
    const logRetentionDays = p('LogRetentionDays', {
      type: 'Number',
      default: '365',
      allowedValues: ['1', '3', '5', '7', '14', '30', '60', '90', '120', '150', '180', '365', '400', '545', '731', '1096', '1827', '2192', '2557', '2922', '3288', '3653'],
    });
    const logLevel = p('LogLevel', {
      type: 'String',
      default: 'INFO',
      allowedValues: [...APPLICATION_LOG_LEVELS],
      description:
        "The functions' log level: Lambda's ApplicationLogLevel (JSON log format), which they read " +
        "as AWS_LAMBDA_LOG_LEVEL. Lambda's own lines are kept from WARN.",
    });
    const architecture = p('Architecture', {
      type: 'String',
      default: 'arm64',
      allowedValues: ['arm64', 'x86_64'],
      description: 'Lambda architecture; must match the build.',
    });
    const sweepSchedule = p('SweepSchedule', {
      type: 'String',
      default: 'rate(1 day)',
      description: 'Schedule of the org-wide sweep (an EventBridge rate() or cron() expression).',
    });
    const sweepPeriodSeconds = p('SweepPeriodSeconds', {
      type: 'Number',
      default: '86400',
      allowedValues: SWEEP_PERIODS.map(([, seconds]) => `${seconds}`),
      description:
        'The period of SweepSchedule in seconds (86400 for rate(1 day)): the window of the sweep alarms, which fire when no sweep ' +
        'completed within it, or one could not reach an account or Region.',
    });
    const securityHub = bool('SecurityHub', 'Also import every finding into AWS Security Hub, in this account and Region.');
    const chatTopicArn = p('ChatTopicArn', {
      type: 'String',
      default: '',
      allowedPattern: TOPIC_ARN_PATTERN,
      description: 'Optional SNS topic for chat that gets a short notice per finding of at least ChatMinSeverity. Empty = none.',
    });
    const chatMinSeverity = p('ChatMinSeverity', {
      type: 'String',
      default: 'HIGH',
      allowedValues: CHAT_SEVERITIES,
      description: 'The lowest severity posted to ChatTopicArn.',
    });
    const operationsTopicArn = p('OperationsTopicArn', {
      type: 'String',
      default: '',
      allowedPattern: TOPIC_ARN_PATTERN,
      description: "SNS topic of the guardrail's own alarms. Empty = the findings topic.",
    });
    const regions = p('Regions', {
      type: 'String',
      default: '',
      allowedPattern: '^([a-z]{2}(-[a-z]+)+-[0-9]+(,[a-z]{2}(-[a-z]+)+-[0-9]+)*)?$',
      description:
        'Comma-separated Regions searched for Identity Center instances by all functions (REGIONS). ' +
        'Empty = the 17 Regions enabled by default in every commercial account, built into the functions. ' +
        'A list replaces that default: to cover an opt-in Region, list it together with every default Region you want kept.',
    });
    const outsideRegions = p('OutsideRegions', {
      type: 'String',
      default: 'evaluate',
      allowedValues: ['evaluate', 'report'],
      description:
        'A CreateInstance from a Region not in Regions (OUTSIDE_REGIONS): evaluate judges and ' +
        'remediates it like any other (the event proves an instance there); report never deletes there.',
    });
    const sweepConcurrency = p('SweepConcurrency', {
      type: 'Number',
      default: 32,
      minValue: 1,
      maxValue: 512,
      description: 'AWS calls one invocation of the sweep or the sweep worker keeps in flight at once (SWEEP_CONCURRENCY).',
    });
    const fanoutThreshold = p('FanoutThreshold', {
      type: 'Number',
      default: 100,
      minValue: 1,
      maxValue: 1000000,
      description:
        'Organizations with more accounts than this are swept by the sweep-worker function, one SQS message per account (FANOUT_THRESHOLD).',
    });

    this.guardrail = new IdcGuardrail(this, 'Guardrail', {
      organizationId: organizationId.valueAsString,
      codeRoot: props.codeRoot,
      code: props.code,
      architecture: lambda.Architecture.custom(architecture.valueAsString),
      autoRemediate: autoRemediate.valueAsString,
      dryRun: dryRun.valueAsString,
      forceDeleteInUse: forceDeleteInUse.valueAsString,
      exemptAccounts: exemptAccounts.valueAsString,
      exemptions: exemptions.valueAsString,
      exemptTag: exemptTag.valueAsString,
      exemptTagPolicyId: exemptTagPolicyId.valueAsString,
      trialDays: trialDays.valueAsString,
      memberRoleName: memberRoleName.valueAsString,
      managementAccountId: managementAccountId.valueAsString,
      eventBusName: eventBusName.valueAsString,
      alertEmail: alertEmail.valueAsString,
      subscriptionProtocols: subscriptionProtocols.valueAsList,
      subscriberPrincipals: subscriberPrincipals.valueAsString,
      logRetention: logRetentionDays.valueAsNumber as logs.RetentionDays,
      logLevel: logLevel.valueAsString,
      sweepSchedule: sweepSchedule.valueAsString,
      regions: regions.valueAsString,
      outsideRegions: outsideRegions.valueAsString as 'evaluate' | 'report',
      sweepConcurrency: sweepConcurrency.valueAsString,
      fanoutThreshold: fanoutThreshold.valueAsString,
      sweepPeriodSeconds: sweepPeriodSeconds.valueAsNumber,
      securityHub: securityHub.valueAsString,
      chatTopicArn: chatTopicArn.valueAsString,
      chatMinSeverity: chatMinSeverity.valueAsString,
      operationsTopicArn: operationsTopicArn.valueAsString,
    });

    // Same output names as infra/template.yaml. Outputs live in their own scope
    // (an output may not share its construct id with a parameter) and keep the
    // plain logical ids.
    const g = this.guardrail;
    const outputs = new Construct(this, 'Outputs');
    const out = (name: string, value: string, description?: string, condition?: CfnCondition) =>
      new CfnOutput(outputs, name, { value, description, condition }).overrideLogicalId(name);
    out('EventBusArn', g.eventBus.eventBusArn, 'Central event bus; pass it to the member StackSet as CentralEventBusArn.');
    out('EventBusName', g.eventBus.eventBusName);
    out('FindingsTopicArn', g.topic.topicArn, 'SNS topic with one message per finding.');
    out('KeyArn', g.key.keyArn, 'KMS key of the topic, queues and log groups.');
    out('SweepFunctionName', g.functions.sweep.functionName, 'The sweep function, to run a sweep now (aws lambda invoke --function-name).');
    out('AlarmTopicArn', g.alarmTopicArn, "Where the guardrail's alarms go (OperationsTopicArn, or the findings topic).");
    out('OnCreateInstanceRoleArn', g.roles['on-create-instance'].roleArn);
    out('OnOrgEventRoleArn', g.roles['on-org-event'].roleArn);
    out('SweepRoleArn', g.roles.sweep.roleArn);
    out('SweepWorkerRoleArn', g.roles['sweep-worker'].roleArn);
    // Only with the outlets (Security Hub or chat): the parameters are tokens, so under their condition.
    const outlets = g.outlets;
    const outletsDeadLetters = 'Findings the outlets function could not import into Security Hub or post to chat in 5 attempts.';
    if (outlets) {
      out(
        'OutletsRoleArn',
        outlets.role.roleArn,
        "The outlets function's role (not in FunctionRoleArns); an SSE-KMS ChatTopicArn's key must let it use the key.",
        outlets.condition,
      );
    }
    out(
      'FunctionRoleArns',
      Fn.join(',', REMEDIATION_FUNCTION_NAMES.map((n) => g.roles[n].roleArn)),
      'Pass to the member StackSet as CentralRoleArns; only these roles may assume the remediation role.',
    );
    out('EventTargetDeadLetterQueueUrl', g.eventTargetDeadLetterQueue.queueUrl);
    out('OnCreateInstanceDeadLetterQueueUrl', g.deadLetterQueues['on-create-instance'].queueUrl);
    out('OnOrgEventDeadLetterQueueUrl', g.deadLetterQueues['on-org-event'].queueUrl);
    out('SweepDeadLetterQueueUrl', g.deadLetterQueues.sweep.queueUrl, 'Sweep invocations that failed after 2 retries.');
    out(
      'SweepWorkerQueueUrl',
      g.sweepWorkerQueue.queueUrl,
      'One message per account while a large organization is swept, and the delayed confirmation of every announced delete.',
    );
    out(
      'SweepWorkerDeadLetterQueueUrl',
      g.deadLetterQueues['sweep-worker'].queueUrl,
      'Accounts the sweep worker failed on 3 times, and confirmations of announced deletes whose instance was still listed.',
    );
    if (outlets) out('OutletsDeadLetterQueueUrl', outlets.deadLetterQueue.queueUrl, outletsDeadLetters, outlets.condition);
    // The dead-letter queues by ARN, e.g. for a redrive (aws sqs start-message-move-task
    // --source-arn) or a policy of your own.
    out('EventTargetDeadLetterQueueArn', g.eventTargetDeadLetterQueue.queueArn, 'Events EventBridge could not deliver to a function.');
    out(
      'OnCreateInstanceDeadLetterQueueArn',
      g.deadLetterQueues['on-create-instance'].queueArn,
      'Events on-create-instance failed on after its retries.',
    );
    out('OnOrgEventDeadLetterQueueArn', g.deadLetterQueues['on-org-event'].queueArn, 'Events on-org-event failed on after its retries.');
    out('SweepDeadLetterQueueArn', g.deadLetterQueues.sweep.queueArn, 'Sweep invocations that failed after 2 retries.');
    out(
      'WorkerDeadLetterQueueArn',
      g.deadLetterQueues['sweep-worker'].queueArn,
      'Accounts the sweep worker failed on 3 times, and confirmations of announced deletes whose instance was still listed.',
    );
    if (outlets) out('OutletsDeadLetterQueueArn', outlets.deadLetterQueue.queueArn, outletsDeadLetters, outlets.condition);
  }
}

if (require.main === module) {
  const app = new App();
  const codeRoot = app.node.tryGetContext('codeRoot') ?? process.env.IDC_GUARDRAIL_CODE_ROOT;
  new IdcGuardrailStack(app, app.node.tryGetContext('stackName') ?? 'IdcGuardrail', {
    codeRoot: codeRoot ? path.resolve(codeRoot) : undefined,
    description: 'idc-guardrail central stack (CDK)',
  });
  app.synth();
}
