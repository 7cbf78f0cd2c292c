import * as fs from 'fs';
import * as path from 'path';
import { Aws, CfnCondition, CfnRule, Duration, Fn, RemovalPolicy, Tags, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_NAMES, FunctionName, ROUTES } from './patterns';

export interface IdcGuardrailProps {
  /** Organization id (o-...): the only principals allowed on the bus, the only roles the functions assume. */
  readonly organizationId: string;
  /**
   * Directory holding cargo-lambda's output, one `<name>/bootstrap` per function.
   * @default `<repo>/target/lambda`
   */
  readonly codeRoot?: string;
  /** Code per function; overrides `codeRoot` (tests pass a placeholder). */
  readonly code?: Partial<Record<FunctionName, lambda.Code>>;
  /** @default lambda.Architecture.ARM_64 */
  readonly architecture?: lambda.Architecture;
  /** @default 'false' */
  readonly autoRemediate?: string;
  /** @default 'false' */
  readonly dryRun?: string;
  /** @default 'false' */
  readonly forceDeleteInUse?: string;
  /** Comma-separated account ids. @default '' */
  readonly exemptAccounts?: string;
  /** @default '' (no tag exemption) */
  readonly exemptTag?: string;
  /** @default '30' */
  readonly trialDays?: string;
  /** @default 'IdcGuardrailRemediation' */
  readonly memberRoleName?: string;
  /** @default '' (the functions ask Organizations) */
  readonly managementAccountId?: string;
  /** @default 'idc-guardrail' */
  readonly eventBusName?: string;
  /** Optional e-mail subscription to the findings topic; may be a token ('' = none). Needs 'email' in `subscriptionProtocols`. */
  readonly alertEmail?: string;
  /**
   * Protocols the findings topic accepts subscriptions for (`sns:Protocol`); every other
   * protocol is denied to every principal. May be a list token.
   * @default DEFAULT_SUBSCRIPTION_PROTOCOLS (sqs, lambda, https, email)
   */
  readonly subscriptionProtocols?: string[];
  /**
   * Comma-separated IAM principal ARNs (`aws:PrincipalArn`, each with its 12-digit account,
   * wildcards after it) that may subscribe besides the principals of the stack's account;
   * they must belong to the organization. May be a token.
   * @default '' (the stack's account only)
   */
  readonly subscriberPrincipals?: string;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** RUST_LOG. @default 'info' */
  readonly logLevel?: string;
  /** Schedule of the org-wide sweep (rate() or cron()). @default 'rate(1 day)' */
  readonly sweepSchedule?: string;
  /**
   * REGIONS of every function: comma-separated Regions searched for instances.
   * @default '' (the 17 default-enabled commercial Regions built into the functions)
   */
  readonly regions?: string;
  /**
   * OUTSIDE_REGIONS of on-create-instance: what a CreateInstance from a Region not in `regions`
   * leads to — 'evaluate' (judged and remediated like any other) or 'report' (never deleted).
   * @default 'evaluate'
   */
  readonly outsideRegions?: 'evaluate' | 'report';
  /** SWEEP_CONCURRENCY of the sweep and the sweep worker. @default '32' */
  readonly sweepConcurrency?: string;
  /** FANOUT_THRESHOLD of the sweep: above this many accounts, fan out to the worker queue. @default '100' */
  readonly fanoutThreshold?: string;
}

const DEFAULT_CODE_ROOT = path.resolve(__dirname, '..', '..', '..', ...(__dirname.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []), 'target', 'lambda');

interface CheckovSkip {
  readonly id: string;
  readonly comment: string;
}

const SKIP_VPC: CheckovSkip = {
  id: 'CKV_AWS_117',
  comment: 'Calls only public AWS endpoints (STS, SSO, Organizations, SNS, SQS); a VPC would add NAT or endpoints and no protection.',
};
const SKIP_ENV_KEY: CheckovSkip = {
  id: 'CKV_AWS_173',
  comment: 'The environment holds only non-secret policy flags; Lambda encrypts it at rest with its service key.',
};

/** Per function settings (same as infra/template.yaml). */
interface FunctionSpec {
  readonly description: string;
  readonly memorySize: number;
  /** Seconds. */
  readonly timeout: number;
  /**
   * Invoked asynchronously (by EventBridge): a function dead-letter queue and
   * bounded retries. The sweep worker is invoked synchronously by its SQS event
   * source mapping: its dead letters are the worker queue's.
   */
  readonly asynchronous: boolean;
  readonly checkovSkips: CheckovSkip[];
}

const SPECS: Record<FunctionName, FunctionSpec> = {
  'on-create-instance': {
    description: 'idc-guardrail - evaluates sso CreateInstance events (IDC001, IDC002, IDC004, IDC005)',
    memorySize: 256,
    timeout: 60,
    asynchronous: true,
    checkovSkips: [
      SKIP_VPC,
      {
        id: 'CKV_AWS_115',
        comment: 'No reserved concurrency on purpose; reserving fails in accounts with the default quota of 10 and events are rare.',
      },
      SKIP_ENV_KEY,
    ],
  },
  'on-org-event': {
    description:
      'idc-guardrail - evaluates delegated-administrator registrations and accounts joining (IDC001, IDC002, IDC005)',
    memorySize: 256,
    timeout: 300,
    asynchronous: true,
    checkovSkips: [
      SKIP_VPC,
      {
        id: 'CKV_AWS_115',
        comment: 'No reserved concurrency on purpose; reserving fails in accounts with the default quota of 10 and events are rare.',
      },
      SKIP_ENV_KEY,
    ],
  },
  sweep: {
    description:
      'idc-guardrail - scheduled sweep of every account and Region, by the same rules and policy as the events; fans out to sweep-worker above FanoutThreshold accounts',
    memorySize: 512,
    timeout: 900,
    asynchronous: true,
    checkovSkips: [
      SKIP_VPC,
      {
        id: 'CKV_AWS_115',
        comment: 'No reserved concurrency on purpose; reserving fails in accounts with the default quota of 10 and one sweep runs per schedule.',
      },
      SKIP_ENV_KEY,
    ],
  },
  'sweep-worker': {
    description: 'idc-guardrail - sweeps one account per message of the sweep worker queue',
    memorySize: 256,
    timeout: 300,
    asynchronous: false,
    checkovSkips: [
      SKIP_VPC,
      {
        id: 'CKV_AWS_115',
        comment: "No reserved concurrency on purpose; the event source mapping's MaximumConcurrency caps the worker without taking from the account's pool.",
      },
      SKIP_ENV_KEY,
      {
        id: 'CKV_AWS_116',
        comment: "Invoked synchronously by its SQS event source mapping, where a function dead-letter queue never receives anything; failed messages go to SweepWorkerDeadLetterQueue by the worker queue's redrive policy.",
      },
    ],
  },
};

/** Subscription protocols of the findings topic by default (same as infra/template.yaml). */
export const DEFAULT_SUBSCRIPTION_PROTOCOLS = ['sqs', 'lambda', 'https', 'email'];
/** Every protocol SubscriptionProtocols may name: no sms, no mobile push; http only when asked. */
export const SUBSCRIPTION_PROTOCOLS = ['sqs', 'lambda', 'https', 'email', 'email-json', 'firehose', 'http'];

/**
 * SubscriberPrincipals: IAM principal ARNs, each with its 12-digit account (a role name in
 * any account could be created by any member administrator), comma-separated, no blanks.
 */
export const SUBSCRIBER_PRINCIPALS_PATTERN =
  '^(arn:aws[a-z-]*:iam::[0-9]{12}:[^,\\s]+(,arn:aws[a-z-]*:iam::[0-9]{12}:[^,\\s]+)*)?$';

/** The sweep worker's event source mapping (same as infra/template.yaml). */
export const SWEEP_WORKER_BATCH_SIZE = 10;
export const SWEEP_WORKER_BATCHING_WINDOW_SECONDS = 5;
export const SWEEP_WORKER_MAX_CONCURRENCY = 10;
/** A worker queue message that failed this many times moves to the dead-letter queue. */
export const SWEEP_WORKER_MAX_RECEIVE_COUNT = 3;

/**
 * The idc-guardrail central stack: an organization-only event bus, the rules
 * and functions evaluating IAM Identity Center / Organizations events, the
 * scheduled org-wide sweep and its SQS fan-out to a worker function, a KMS
 * key, an encrypted findings topic, encrypted queues, log groups.
 * Mirrors infra/template.yaml resource for resource.
 */
export class IdcGuardrail extends Construct {
  readonly key: kms.Key;
  readonly topic: sns.Topic;
  readonly eventBus: events.EventBus;
  readonly functions: Record<FunctionName, lambda.Function>;
  readonly roles: Record<FunctionName, iam.Role>;
  /**
   * Dead letters per function: a function dead-letter queue for the
   * asynchronously invoked ones, the worker queue's redrive target for the sweep worker.
   */
  readonly deadLetterQueues: Record<FunctionName, sqs.Queue>;
  readonly eventTargetDeadLetterQueue: sqs.Queue;
  /** One message per account when the sweep fans out, consumed by the sweep worker. */
  readonly sweepWorkerQueue: sqs.Queue;
  readonly sweepWorkerQueueMapping: lambda.EventSourceMapping;
  readonly rules: Record<string, events.Rule>;
  readonly sweepRule: events.Rule;

  constructor(scope: Construct, id: string, props: IdcGuardrailProps) {
    super(scope, id);
    const memberRoleName = props.memberRoleName ?? 'IdcGuardrailRemediation';
    const eventBusName = props.eventBusName ?? 'idc-guardrail';
    const logGroupPrefix = `/idc-guardrail/${Aws.STACK_NAME}`;
    // Schedules run only on the default bus. The sweep rule is named so that
    // the key policy can name it without depending on it.
    const sweepRuleName = `${eventBusName}-sweep`;

    // Roles first: the key policy names them, their policies name the key.
    const roles = {} as Record<FunctionName, iam.Role>;
    for (const name of FUNCTION_NAMES) {
      roles[name] = new iam.Role(this, `${pascal(name)}Role`, {
        description: `idc-guardrail ${name} function`,
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      });
    }
    this.roles = roles;
    const roleArns = FUNCTION_NAMES.map((n) => roles[n].roleArn);

    this.key = new kms.Key(this, 'GuardrailKey', {
      description: 'idc-guardrail findings topic, queues and log groups',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      alias: `alias/idc-guardrail-${Aws.STACK_NAME}`,
      policy: new iam.PolicyDocument({
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
        ],
      }),
    });

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
    // Who may subscribe: the principals of this account and the listed ones,
    // inside the organization; the explicit denies also bind principals of this
    // account, whose own policies could otherwise allow sns:Subscribe.
    const subscribers = this.subscriberArns(props.subscriberPrincipals ?? '');
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
    this.checkAlertEmailProtocol(props.alertEmail, protocols);
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

    // Dead letters, encrypted with the guardrail key.
    const queue = (qid: string) =>
      new sqs.Queue(this, qid, {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.key,
        retentionPeriod: Duration.days(14),
      });
    const dlqs = {} as Record<FunctionName, sqs.Queue>;
    for (const name of FUNCTION_NAMES) dlqs[name] = queue(`${pascal(name)}DeadLetterQueue`);
    this.deadLetterQueues = dlqs;
    this.eventTargetDeadLetterQueue = queue('EventTargetDeadLetterQueue');

    // The sweep's fan-out: one message per account. Visibility timeout = 6 x
    // the worker's timeout (AWS guidance for Lambda event source mappings). A
    // message is stale once the next sweep runs, hence one day of retention.
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
      EXEMPT_TAG: props.exemptTag ?? '',
      TRIAL_DAYS: props.trialDays ?? '30',
      FORCE_DELETE_IN_USE: props.forceDeleteInUse ?? 'false',
      MEMBER_ROLE_NAME: memberRoleName,
      MANAGEMENT_ACCOUNT_ID: props.managementAccountId ?? '',
      REGIONS: props.regions ?? '',
      RUST_LOG: props.logLevel ?? 'info',
    };
    const sweepConcurrency = props.sweepConcurrency ?? '32';
    const extraEnvironment: Record<FunctionName, Record<string, string>> = {
      'on-create-instance': { OUTSIDE_REGIONS: props.outsideRegions ?? 'evaluate' },
      'on-org-event': {},
      sweep: {
        SWEEP_CONCURRENCY: sweepConcurrency,
        FANOUT_THRESHOLD: props.fanoutThreshold ?? '100',
        WORKER_QUEUE_URL: this.sweepWorkerQueue.queueUrl,
      },
      'sweep-worker': { SWEEP_CONCURRENCY: sweepConcurrency },
    };
    // What a function does with SQS besides the common statements. KMS for
    // SQS (GenerateDataKey to send, Decrypt to receive) is UseGuardrailKey.
    const queueStatements: Record<FunctionName, iam.PolicyStatement[]> = {
      'on-create-instance': [],
      'on-org-event': [],
      sweep: [
        new iam.PolicyStatement({
          sid: 'FanOutToSweepWorkers',
          actions: ['sqs:SendMessage'],
          resources: [this.sweepWorkerQueue.queueArn],
        }),
      ],
      // No sqs:SendMessage: SQS itself moves failed messages to the worker
      // queue's dead-letter queue.
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
      ],
    };
    const functions = {} as Record<FunctionName, lambda.Function>;
    for (const name of FUNCTION_NAMES) {
      const spec = SPECS[name];
      const logGroup = new logs.LogGroup(this, `${pascal(name)}LogGroup`, {
        logGroupName: `${logGroupPrefix}/${name}`,
        retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
        encryptionKey: this.key,
        removalPolicy: RemovalPolicy.DESTROY,
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
        loggingFormat: lambda.LoggingFormat.TEXT,
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

    // The sweep worker: one account per message. A failed account is reported
    // back alone (ReportBatchItemFailures), the rest of the batch is not retried.
    // No grants here: the worker's policy above declares what it may do.
    this.sweepWorkerQueueMapping = new lambda.EventSourceMapping(this, 'SweepWorkerQueueMapping', {
      target: functions['sweep-worker'],
      eventSourceArn: this.sweepWorkerQueue.queueArn,
      batchSize: SWEEP_WORKER_BATCH_SIZE,
      maxBatchingWindow: Duration.seconds(SWEEP_WORKER_BATCHING_WINDOW_SECONDS),
      reportBatchItemFailures: true,
      maxConcurrency: SWEEP_WORKER_MAX_CONCURRENCY,
    });
  }

  /** `aws:PrincipalArn` patterns of the subscribers: the stack's account, then the listed ones. */
  private subscriberArns(listed: string): unknown {
    const ownAccount = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:*`;
    if (!Token.isUnresolved(listed)) {
      if (!new RegExp(SUBSCRIBER_PRINCIPALS_PATTERN).test(listed)) {
        throw new Error(`idc-guardrail: subscriberPrincipals must be IAM principal ARNs with their account: ${listed}`);
      }
      return [ownAccount, ...listed.split(',').filter((p) => p !== '')];
    }
    const hasListed = new CfnCondition(this, 'HasSubscriberPrincipals', {
      expression: Fn.conditionNot(Fn.conditionEquals(listed, '')),
    });
    return Fn.conditionIf(hasListed.logicalId, Fn.split(',', `${ownAccount},${listed}`), [ownAccount]);
  }

  /** The stack's own e-mail subscription is subject to the topic policy too. */
  private checkAlertEmailProtocol(alertEmail: string | undefined, protocols: string[]): void {
    if (alertEmail === undefined) return;
    if (!Token.isUnresolved(alertEmail) && !Token.isUnresolved(protocols)) {
      if (alertEmail !== '' && !protocols.includes('email')) {
        throw new Error('idc-guardrail: alertEmail subscribes an e-mail address, so subscriptionProtocols must include email');
      }
      return;
    }
    new CfnRule(this, 'AlertEmailNeedsTheEmailProtocol', {
      ruleCondition: Fn.conditionNot(Fn.conditionEquals(alertEmail, '')),
      assertions: [
        {
          assert: Fn.conditionContains(protocols, 'email'),
          assertDescription: 'AlertEmail subscribes an e-mail address, so SubscriptionProtocols must include email.',
        },
      ],
    });
  }
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

/**
 * cargo-lambda leaves `<root>/<name>/bootstrap`, or `<root>/<name>/bootstrap.zip`
 * with `--output-format zip`; the newer of the two is used.
 */
function codeFromRoot(root: string, name: string): lambda.Code {
  const dir = path.join(root, name);
  const bin = path.join(dir, 'bootstrap');
  const zip = path.join(dir, 'bootstrap.zip');
  const mtime = (f: string) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : -1);
  if (mtime(zip) < 0 && mtime(bin) < 0) {
    throw new Error(
      `idc-guardrail: neither ${bin} nor ${zip} exists; build the functions first (make package) ` +
        'or pass codeRoot (-c codeRoot=DIR) pointing at a directory of <name>/bootstrap',
    );
  }
  if (mtime(zip) > mtime(bin)) return lambda.Code.fromAsset(zip);
  return lambda.Code.fromAsset(dir, { exclude: ['bootstrap.zip'] });
}
