import { Aws, CfnCondition, Duration, Fn, RemovalPolicy, Tags, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REMEDIATION_FUNCTION_NAMES, RemediationFunctionName, ROUTES } from './patterns';
import { codeFromRoot, DEFAULT_CODE_ROOT } from './function-code';
import { pascal, SPECS } from './function-specs';
import type { IdcGuardrailProps } from './props';
import {
  SWEEP_WORKER_BATCH_SIZE,
  SWEEP_WORKER_BATCHING_WINDOW_SECONDS,
  SWEEP_WORKER_MAX_CONCURRENCY,
  SWEEP_WORKER_MAX_RECEIVE_COUNT,
} from './queues';
import { alarmTopicArn, checkSweepPeriod, createAlarms } from './alarms';
import { addFindingDestinations } from './destinations';
import { checkExemptions } from './exemptions';
import { checkAlertEmailProtocol, DEFAULT_SUBSCRIPTION_PROTOCOLS, subscriberArns } from './topic';
import {
  addConditionalKeyStatements,
  checkOutletsProtocol,
  createOutlets,
  createOutletsRole,
  Outlets,
  outletsKeyStatements,
  outletsSwitch,
} from './outlets';

export type { IdcGuardrailProps } from './props';
export type { Outlets } from './outlets';
export {
  OUTLETS_BATCH_SIZE,
  OUTLETS_BATCHING_WINDOW_SECONDS,
  OUTLETS_MAX_CONCURRENCY,
  OUTLETS_MAX_RECEIVE_COUNT,
  OUTLETS_RETENTION_DAYS,
  SWEEP_WORKER_BATCH_SIZE,
  SWEEP_WORKER_BATCHING_WINDOW_SECONDS,
  SWEEP_WORKER_MAX_CONCURRENCY,
  SWEEP_WORKER_MAX_RECEIVE_COUNT,
} from './queues';
export { METRICS_NAMESPACE, SWEEP_PERIODS } from './alarms';
export { CHAT_SEVERITIES, TOPIC_ARN_PATTERN } from './destinations';
export { EXEMPT_TAG_POLICY_ID_PATTERN, EXEMPTIONS_MAX_LENGTH, EXEMPTIONS_PATTERN } from './exemptions';
export { DEFAULT_SUBSCRIPTION_PROTOCOLS, SUBSCRIBER_PRINCIPALS_PATTERN, SUBSCRIPTION_PROTOCOLS } from './topic';

/** Lambda's application log levels (LoggingConfig.ApplicationLogLevel), the LogLevel parameter's values. */
export const APPLICATION_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;


/**
 * The idc-guardrail central stack: an organization-only event bus, the rules
 * and functions evaluating IAM Identity Center / Organizations events, the
 * scheduled org-wide sweep and its SQS fan-out to a worker function, a KMS
 * key, an encrypted findings topic, encrypted queues, log groups, and (with
 * Security Hub or chat) the outlets function fed by its own queue.
 * Mirrors infra/template.yaml resource for resource.
 */
export class IdcGuardrail extends Construct {
  readonly key: kms.Key;
  readonly topic: sns.Topic;
  readonly eventBus: events.EventBus;
  /** The functions that judge and remediate (not the outlets). */
  readonly functions: Record<RemediationFunctionName, lambda.Function>;
  readonly roles: Record<RemediationFunctionName, iam.Role>;
  /**
   * Dead letters per function: a function dead-letter queue for the
   * asynchronously invoked ones, the worker queue's redrive target for the sweep worker.
   */
  readonly deadLetterQueues: Record<RemediationFunctionName, sqs.Queue>;
  readonly eventTargetDeadLetterQueue: sqs.Queue;
  /**
   * Consumed by the sweep worker: one message per account when the sweep fans out, and the
   * delayed confirmation every function that deletes queues before each DeleteInstance.
   */
  readonly sweepWorkerQueue: sqs.Queue;
  readonly sweepWorkerQueueMapping: lambda.EventSourceMapping;
  readonly rules: Record<string, events.Rule>;
  readonly sweepRule: events.Rule;
  /** Watching the watcher: alarm name (without the stack name) -> alarm. */
  readonly alarms: Record<string, cloudwatch.CfnAlarm>;
  /** Where the alarms go: the operations topic, or the findings topic. */
  readonly alarmTopicArn: string;
  /**
   * Security Hub and chat, off the delete path: absent when securityHub is 'false' and no
   * chatTopicArn is given (literals); with a token, present under its condition.
   */
  readonly outlets?: Outlets;

  constructor(scope: Construct, id: string, props: IdcGuardrailProps) {
    super(scope, id);
    const memberRoleName = props.memberRoleName ?? 'IdcGuardrailRemediation';
    const eventBusName = props.eventBusName ?? 'idc-guardrail';
    const logGroupPrefix = `/idc-guardrail/${Aws.STACK_NAME}`;
    // Schedules run only on the default bus. The sweep rule is named so that
    // the key policy can name it without depending on it.
    const sweepRuleName = `${eventBusName}-sweep`;

    // Roles first: the key policy names them, their policies name the key.
    const roles = {} as Record<RemediationFunctionName, iam.Role>;
    for (const name of REMEDIATION_FUNCTION_NAMES) {
      roles[name] = new iam.Role(this, `${pascal(name)}Role`, {
        description: `idc-guardrail ${name} function`,
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      });
    }
    this.roles = roles;
    const roleArns = REMEDIATION_FUNCTION_NAMES.map((n) => roles[n].roleArn);
    // The outlets exist only with Security Hub or chat (under a condition, for tokens).
    const securityHub = props.securityHub ?? 'false';
    const chatTopicArn = props.chatTopicArn ?? '';
    const outletsOn = outletsSwitch(this, securityHub, chatTopicArn);
    const outletsRole = outletsOn ? createOutletsRole(this, outletsOn) : undefined;

    const keyPolicy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'KeyAdministration',
          principals: [new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`)],
          actions: [
            'kms:CancelKeyDeletion',
            'kms:Create*',
            'kms:Delete*',
            'kms:Describe*',
            'kms:Disable*',
            'kms:Enable*',
            'kms:Get*',
            'kms:List*',
            'kms:Put*',
            'kms:Revoke*',
            'kms:ScheduleKeyDeletion',
            'kms:TagResource',
            'kms:UntagResource',
            'kms:Update*',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'FunctionsUseKeyViaSnsAndSqs',
          principals: roleArns.map((arn) => new iam.ArnPrincipal(arn)),
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: {
            StringEquals: {
              'kms:ViaService': [`sns.${Aws.REGION}.amazonaws.com`, `sqs.${Aws.REGION}.amazonaws.com`],
            },
          },
        }),
        new iam.PolicyStatement({
          sid: 'GuardrailRulesUseKeyForDeadLetters',
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: {
            ArnLike: {
              'aws:SourceArn': [
                `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${eventBusName}/*`,
                `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${sweepRuleName}`,
              ],
            },
          },
        }),
        // CloudWatch publishes the guardrail's alarms to the encrypted topic: the
        // statement the SNS documentation gives (no condition CloudWatch would not meet).
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarmsUseKeyForNotifications',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'CloudWatchLogsEncryptsGuardrailLogs',
          principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
          actions: ['kms:Decrypt', 'kms:Describe*', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          resources: ['*'],
          conditions: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${logGroupPrefix}/*`,
            },
          },
        }),
        // Unconditional outlets: their statements as they are.
        ...(outletsRole && !outletsOn?.condition ? outletsKeyStatements(outletsRole) : []),
      ],
    });
    this.key = new kms.Key(this, 'GuardrailKey', {
      description: 'idc-guardrail findings topic, queues and log groups',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      alias: `alias/idc-guardrail-${Aws.STACK_NAME}`,
      policy: keyPolicy,
    });
    if (outletsRole && outletsOn?.condition) {
      addConditionalKeyStatements(this.key, keyPolicy, outletsOn.condition, outletsKeyStatements(outletsRole));
    }

    // Findings.
    this.topic = new sns.Topic(this, 'FindingsTopic', {
      displayName: 'IDC guardrail findings',
      masterKey: this.key,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyInsecureTransport',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    // The guardrail's alarms (named <stack>-...) when no operations topic is given.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'GuardrailAlarmsMayPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${Aws.STACK_NAME}-*` },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
    // Who may subscribe: the principals of this account and the listed ones,
    // inside the organization; the explicit denies also bind principals of this
    // account, whose own policies could otherwise allow sns:Subscribe.
    const subscribers = subscriberArns(this, props.subscriberPrincipals ?? '');
    const protocols = props.subscriptionProtocols ?? DEFAULT_SUBSCRIPTION_PROTOCOLS;
    const subscribe = (sid: string, effect: iam.Effect, conditions: Record<string, unknown>) =>
      this.topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect,
          principals: [new iam.AnyPrincipal()],
          actions: ['sns:Subscribe'],
          resources: [this.topic.topicArn],
          conditions,
        }),
      );
    subscribe('ListedSubscribersMaySubscribe', iam.Effect.ALLOW, {
      StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
      ArnLike: { 'aws:PrincipalArn': subscribers },
    });
    subscribe('DenySubscribeByOtherPrincipals', iam.Effect.DENY, { ArnNotLike: { 'aws:PrincipalArn': subscribers } });
    subscribe('DenySubscribeOverOtherProtocols', iam.Effect.DENY, { StringNotEquals: { 'sns:Protocol': protocols } });
    checkAlertEmailProtocol(this, props.alertEmail, protocols);
    checkOutletsProtocol(this, outletsOn, protocols);
    if (props.alertEmail !== undefined && (Token.isUnresolved(props.alertEmail) || props.alertEmail !== '')) {
      const subscription = new sns.CfnSubscription(this, 'AlertEmailSubscription', {
        topicArn: this.topic.topicArn,
        protocol: 'email',
        endpoint: props.alertEmail,
      });
      if (Token.isUnresolved(props.alertEmail)) {
        subscription.cfnOptions.condition = new CfnCondition(this, 'HasAlertEmail', {
          expression: Fn.conditionNot(Fn.conditionEquals(props.alertEmail, '')),
        });
      }
    }

    // Central bus, open to the organization only.
    this.eventBus = new events.EventBus(this, 'CentralEventBus', { eventBusName });
    new events.CfnEventBusPolicy(this, 'CentralEventBusPolicy', {
      eventBusName: this.eventBus.eventBusName,
      statementId: 'OrganizationMayPutEvents',
      statement: {
        Sid: 'OrganizationMayPutEvents',
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: this.eventBus.eventBusArn,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
      },
    });

    // Dead letters, encrypted with the guardrail key. They and the log groups are retained
    // when the stack is deleted or they are replaced: what failed and what the guardrail did
    // stay readable (with the retained key). infra/OPERATIONS.md says how to remove them.
    const queue = (qid: string) =>
      new sqs.Queue(this, qid, {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.key,
        retentionPeriod: Duration.days(14),
        removalPolicy: RemovalPolicy.RETAIN,
      });
    const dlqs = {} as Record<RemediationFunctionName, sqs.Queue>;
    for (const name of REMEDIATION_FUNCTION_NAMES) dlqs[name] = queue(`${pascal(name)}DeadLetterQueue`);
    this.deadLetterQueues = dlqs;
    this.eventTargetDeadLetterQueue = queue('EventTargetDeadLetterQueue');

    // The sweep's fan-out: one message per account; also the confirmation every
    // function queues before each DeleteInstance, delayed by up to 900 s (the most
    // SQS allows, per message, on a standard queue; the queue itself delays
    // nothing). Visibility timeout = 6 x the worker's timeout (AWS guidance for
    // Lambda event source mappings). A sweep message is stale once the next sweep
    // runs, hence one day of retention, well above a confirmation's delay plus its
    // 3 receives (900 + 3 x 1800 s); a message that failed 3 times moves to the
    // worker's dead-letter queue: for a confirmation, an instance still listed.
    this.sweepWorkerQueue = new sqs.Queue(this, 'SweepWorkerQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      visibilityTimeout: Duration.seconds(6 * SPECS['sweep-worker'].timeout),
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: dlqs['sweep-worker'], maxReceiveCount: SWEEP_WORKER_MAX_RECEIVE_COUNT },
    });

    // Functions.
    const environment = {
      AUTO_REMEDIATE: props.autoRemediate ?? 'false',
      DRY_RUN: props.dryRun ?? 'false',
      EXEMPT_ACCOUNTS: props.exemptAccounts ?? '',
      EXEMPTIONS: props.exemptions ?? '',
      EXEMPT_TAG: props.exemptTag ?? '',
      EXEMPT_TAG_POLICY_ID: props.exemptTagPolicyId ?? '',
      TRIAL_DAYS: props.trialDays ?? '30',
      FORCE_DELETE_IN_USE: props.forceDeleteInUse ?? 'false',
      MEMBER_ROLE_NAME: memberRoleName,
      MANAGEMENT_ACCOUNT_ID: props.managementAccountId ?? '',
      REGIONS: props.regions ?? '',
      // Every function that judges publishes findings to the topic only (the outlets
      // take them to Security Hub and chat), and metrics whose Guardrail dimension is
      // the stack's name (AWS::StackName, the value of Stack.of(this).stackName,
      // written as the reference the alarms use too).
      GUARDRAIL_NAME: Aws.STACK_NAME,
      // Every function that judges queues each delete's delayed confirmation on the worker
      // queue (the sweep its fan-out's work items too).
      WORKER_QUEUE_URL: this.sweepWorkerQueue.queueUrl,
    };
    checkExemptions(environment.EXEMPTIONS, environment.EXEMPT_TAG_POLICY_ID);
    const logLevel = props.logLevel ?? 'INFO';
    if (!Token.isUnresolved(logLevel) && !(APPLICATION_LOG_LEVELS as readonly string[]).includes(logLevel)) {
      throw new Error(`idc-guardrail: logLevel ${logLevel} is not one of ${APPLICATION_LOG_LEVELS.join(', ')}`);
    }
    const sweepConcurrency = props.sweepConcurrency ?? '32';
    const extraEnvironment: Record<RemediationFunctionName, Record<string, string>> = {
      'on-create-instance': { OUTSIDE_REGIONS: props.outsideRegions ?? 'evaluate' },
      'on-org-event': {},
      sweep: { SWEEP_CONCURRENCY: sweepConcurrency, FANOUT_THRESHOLD: props.fanoutThreshold ?? '100' },
      'sweep-worker': { SWEEP_CONCURRENCY: sweepConcurrency },
    };
    // What a function does with SQS besides the common statements: every one
    // sends to the worker queue. KMS for SQS (GenerateDataKey, and Decrypt to
    // reuse a data key, to send; Decrypt to receive) is UseGuardrailKey.
    // Before each DeleteInstance, the delayed confirmation of the delete
    // (idc-guardrail/confirm-task/v1), which the sweep worker consumes.
    const queueConfirmations = () =>
      new iam.PolicyStatement({
        sid: 'QueueConfirmations',
        actions: ['sqs:SendMessage'],
        resources: [this.sweepWorkerQueue.queueArn],
      });
    const queueStatements: Record<RemediationFunctionName, iam.PolicyStatement[]> = {
      'on-create-instance': [queueConfirmations()],
      'on-org-event': [queueConfirmations()],
      // The fan-out's work items and the confirmations: one statement.
      sweep: [
        new iam.PolicyStatement({
          sid: 'FanOutToSweepWorkers',
          actions: ['sqs:SendMessage'],
          resources: [this.sweepWorkerQueue.queueArn],
        }),
      ],
      // sqs:SendMessage only to its own queue, for the confirmations of its own
      // deletes: SQS itself moves failed messages to the worker queue's
      // dead-letter queue.
      'sweep-worker': [
        new iam.PolicyStatement({
          sid: 'ConsumeSweepWorkerQueue',
          actions: [
            'sqs:ChangeMessageVisibility',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:ReceiveMessage',
          ],
          resources: [this.sweepWorkerQueue.queueArn],
        }),
        queueConfirmations(),
      ],
    };
    const functions = {} as Record<RemediationFunctionName, lambda.Function>;
    for (const name of REMEDIATION_FUNCTION_NAMES) {
      const spec = SPECS[name];
      const logGroup = new logs.LogGroup(this, `${pascal(name)}LogGroup`, {
        logGroupName: `${logGroupPrefix}/${name}`,
        retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
        encryptionKey: this.key,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const policy = new iam.Policy(this, `${pascal(name)}Policy`, {
        policyName: `idc-guardrail-${name}`,
        roles: [roles[name]],
        statements: [
          new iam.PolicyStatement({
            sid: 'AssumeMemberRemediationRole',
            actions: ['sts:AssumeRole'],
            resources: [`arn:${Aws.PARTITION}:iam::*:role/${memberRoleName}`],
            conditions: { StringEquals: { 'aws:ResourceOrgID': props.organizationId } },
          }),
          new iam.PolicyStatement({
            sid: 'PublishFindings',
            actions: ['sns:Publish'],
            resources: [this.topic.topicArn],
          }),
          new iam.PolicyStatement({
            sid: 'UseGuardrailKey',
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: [this.key.keyArn],
          }),
          new iam.PolicyStatement({
            sid: 'ReadOrganization',
            actions: [
              'organizations:DescribeOrganization',
              'organizations:ListAccounts',
              'organizations:ListDelegatedAdministrators',
              // Is EXEMPT_TAG_POLICY_ID an SCP attached to the root? (read only)
              'organizations:DescribePolicy',
              'organizations:ListTargetsForPolicy',
            ],
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'DescribeOrganizationAccounts',
            actions: ['organizations:DescribeAccount'],
            resources: [`arn:${Aws.PARTITION}:organizations::*:account/${props.organizationId}/*`],
          }),
          ...(spec.asynchronous
            ? [
                new iam.PolicyStatement({
                  sid: 'DeadLetter',
                  actions: ['sqs:SendMessage'],
                  resources: [dlqs[name].queueArn],
                }),
              ]
            : []),
          ...queueStatements[name],
          new iam.PolicyStatement({
            sid: 'WriteLogs',
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [logGroup.logGroupArn],
          }),
        ],
      });
      const fn = new lambda.Function(this, `${pascal(name)}Function`, {
        description: spec.description,
        code: props.code?.[name] ?? codeFromRoot(props.codeRoot ?? DEFAULT_CODE_ROOT, name),
        handler: 'bootstrap',
        runtime: lambda.Runtime.PROVIDED_AL2023,
        architecture: props.architecture ?? lambda.Architecture.ARM_64,
        memorySize: spec.memorySize,
        timeout: Duration.seconds(spec.timeout),
        role: roles[name],
        ...(spec.asynchronous ? { retryAttempts: 2, maxEventAge: Duration.hours(6) } : {}),
        logGroup,
        // JSON: Lambda applies the application log level to the functions' JSON lines and
        // passes it to them as AWS_LAMBDA_LOG_LEVEL (they set no RUST_LOG).
        loggingFormat: lambda.LoggingFormat.JSON,
        applicationLogLevelV2: logLevel as lambda.ApplicationLogLevel,
        systemLogLevelV2: lambda.SystemLogLevel.WARN,
        environment: { TOPIC_ARN: this.topic.topicArn, ...environment, ...extraEnvironment[name] },
      });
      const cfnFn = fn.node.defaultChild as lambda.CfnFunction;
      // Set the dead-letter queue directly: the `deadLetterQueue` prop would add
      // grants to the role and the key policy beyond the ones declared above.
      if (spec.asynchronous) cfnFn.deadLetterConfig = { targetArn: dlqs[name].queueArn };
      cfnFn.addMetadata('checkov', { skip: spec.checkovSkips });
      fn.node.addDependency(policy);
      Tags.of(fn).add('idc-guardrail:function', name);
      functions[name] = fn;
    }
    this.functions = functions;

    // Security Hub and chat, off the delete path: the outlets function, fed by its own queue.
    if (outletsOn && outletsRole) {
      this.outlets = createOutlets(this, outletsOn, {
        role: outletsRole,
        key: this.key,
        topic: this.topic,
        logGroupPrefix,
        logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
        code: props.code?.outlets ?? codeFromRoot(props.codeRoot ?? DEFAULT_CODE_ROOT, 'outlets'),
        architecture: props.architecture ?? lambda.Architecture.ARM_64,
        logLevel,
        securityHub,
        chatTopicArn,
        chatMinSeverity: props.chatMinSeverity ?? 'HIGH',
      });
      // Only the outlets import into Security Hub and post to chat. Not a DependsOn of the
      // function on these conditional policies: one whose condition is false fails the stack.
      addFindingDestinations(this, [outletsRole], securityHub, chatTopicArn, outletsOn.condition);
    }

    // Rules on the central bus.
    this.rules = {};
    for (const route of ROUTES) {
      this.rules[route.id] = new events.Rule(this, route.id, {
        description: route.description,
        eventBus: this.eventBus,
        eventPattern: route.pattern,
        targets: [
          new targets.LambdaFunction(functions[route.target], {
            deadLetterQueue: this.eventTargetDeadLetterQueue,
            retryAttempts: 8,
            maxEventAge: Duration.hours(1),
          }),
        ],
      });
    }

    // The org-wide sweep closes the gaps of best-effort event delivery; on the
    // default bus (schedules only run there).
    this.sweepRule = new events.Rule(this, 'SweepRule', {
      ruleName: sweepRuleName,
      description: 'idc-guardrail: scheduled org-wide sweep -> sweep',
      schedule: events.Schedule.expression(props.sweepSchedule ?? 'rate(1 day)'),
      targets: [
        new targets.LambdaFunction(functions.sweep, {
          deadLetterQueue: this.eventTargetDeadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });

    // The sweep worker: one account, or one delete's confirmation, per message. A
    // failed record is reported back alone (ReportBatchItemFailures), the rest of
    // the batch is not retried.
    // No grants here: the worker's policy above declares what it may do.
    this.sweepWorkerQueueMapping = new lambda.EventSourceMapping(this, 'SweepWorkerQueueMapping', {
      target: functions['sweep-worker'],
      eventSourceArn: this.sweepWorkerQueue.queueArn,
      batchSize: SWEEP_WORKER_BATCH_SIZE,
      maxBatchingWindow: Duration.seconds(SWEEP_WORKER_BATCHING_WINDOW_SECONDS),
      reportBatchItemFailures: true,
      maxConcurrency: SWEEP_WORKER_MAX_CONCURRENCY,
    });

    // Watching the watcher.
    const sweepPeriodSeconds = props.sweepPeriodSeconds ?? 86400;
    checkSweepPeriod(this, props.sweepSchedule ?? 'rate(1 day)', sweepPeriodSeconds);
    this.alarmTopicArn = alarmTopicArn(this, props.operationsTopicArn, this.topic.topicArn);
    const outlets = this.outlets;
    this.alarms = createAlarms(this, {
      topicArn: this.alarmTopicArn,
      sweepPeriodSeconds,
      functions: { ...functions, ...(outlets ? { outlets: outlets.function } : {}) },
      deadLetterQueues: {
        'event-target': this.eventTargetDeadLetterQueue,
        'on-create-instance': dlqs['on-create-instance'],
        'on-org-event': dlqs['on-org-event'],
        sweep: dlqs.sweep,
        'sweep-worker': dlqs['sweep-worker'],
        ...(outlets ? { outlets: outlets.deadLetterQueue } : {}),
      },
      conditions: outlets?.condition
        ? { 'dead-letters-outlets': outlets.condition, 'errors-outlets': outlets.condition }
        : {},
    });
  }
}
