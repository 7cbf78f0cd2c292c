import { Aws, CfnCondition, CfnResource, CfnRule, Duration, Fn, ICfnConditionExpression, RemovalPolicy, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { checkDestinations } from './destinations';
import { SPECS } from './function-specs';
import {
  OUTLETS_BATCH_SIZE,
  OUTLETS_BATCHING_WINDOW_SECONDS,
  OUTLETS_MAX_CONCURRENCY,
  OUTLETS_MAX_RECEIVE_COUNT,
  OUTLETS_RETENTION_DAYS,
} from './queues';

/**
 * The outlets: Security Hub and chat, off the delete path (same as infra/stacks/*.yaml, whose
 * parts carry the condition HasOutlets). The findings topic copies every finding (message
 * attribute message_type = finding), raw, to the outlets queue, which the outlets function
 * consumes; nothing that deletes waits on it. They exist only when securityHub is 'true' or
 * chatTopicArn is set: literals decide at synth time, a token makes every part conditional.
 */
export interface OutletsSwitch {
  /** Under which condition the outlets exist; absent, they exist unconditionally. */
  readonly condition?: CfnCondition;
}

/** undefined: no outlets (securityHub 'false' and no chat topic, both literal). */
export function outletsSwitch(scope: Construct, securityHub: string, chatTopicArn: string): OutletsSwitch | undefined {
  checkDestinations(securityHub, chatTopicArn);
  const parts: ICfnConditionExpression[] = [];
  if (Token.isUnresolved(securityHub)) parts.push(Fn.conditionEquals(securityHub, 'true'));
  else if (securityHub === 'true') return {};
  if (Token.isUnresolved(chatTopicArn)) parts.push(Fn.conditionNot(Fn.conditionEquals(chatTopicArn, '')));
  else if (chatTopicArn !== '') return {};
  if (parts.length === 0) return undefined;
  const expression = parts.length === 1 ? parts[0] : Fn.conditionOr(...parts);
  return { condition: new CfnCondition(scope, 'HasOutlets', { expression }) };
}

/** Every CloudFormation resource of these constructs exists only under the condition (if any). */
export function onlyWithOutlets(sw: OutletsSwitch, ...constructs: IConstruct[]): void {
  if (!sw.condition) return;
  for (const c of constructs) {
    for (const child of c.node.findAll()) {
      if (CfnResource.isCfnResource(child)) child.cfnOptions.condition = sw.condition;
    }
  }
}

/** The outlets function's role: no member role, no Organizations. */
export function createOutletsRole(scope: Construct, sw: OutletsSwitch): iam.Role {
  const role = new iam.Role(scope, 'OutletsRole', {
    description: 'idc-guardrail outlets function',
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  onlyWithOutlets(sw, role);
  return role;
}

/**
 * The guardrail key's statements for the outlets: the outlets function receives from its encrypted
 * queue (SQS decrypts for it); SNS encrypts the findings it copies there (what the SNS documentation
 * asks of an encrypted queue's key). The key cannot name the findings topic, which it encrypts:
 * the topics of this account and Region.
 */
export function outletsKeyStatements(role: iam.IRole): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'OutletsUseKeyViaSqs',
      principals: [new iam.ArnPrincipal(role.roleArn)],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.amazonaws.com` } },
    }),
    new iam.PolicyStatement({
      sid: 'FindingsTopicDeliversToOutletsQueue',
      principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:sns:${Aws.REGION}:${Aws.ACCOUNT_ID}:*` } },
    }),
  ];
}

/**
 * Appends statements to the key policy, each under the outlets' condition (Fn::If, AWS::NoValue
 * otherwise): a key policy cannot be split into conditional parts.
 */
export function addConditionalKeyStatements(
  key: kms.Key,
  keyPolicy: iam.PolicyDocument,
  condition: CfnCondition,
  statements: iam.PolicyStatement[],
): void {
  const cfnKey = key.node.defaultChild as kms.CfnKey;
  const first = keyPolicy.statementCount;
  statements.forEach((s, i) =>
    cfnKey.addPropertyOverride(
      `KeyPolicy.Statement.${first + i}`,
      Fn.conditionIf(condition.logicalId, s.toStatementJson(), Aws.NO_VALUE),
    ),
  );
}

/** The outlets queue's subscription is subject to the findings topic's policy too: it needs sqs. */
export function checkOutletsProtocol(scope: Construct, sw: OutletsSwitch | undefined, protocols: string[]): void {
  if (!sw) return;
  if (!Token.isUnresolved(protocols)) {
    if (protocols.includes('sqs')) return;
    if (!sw.condition) {
      throw new Error('idc-guardrail: securityHub or chatTopicArn subscribes the outlets queue, so subscriptionProtocols must include sqs');
    }
  }
  new CfnRule(scope, 'OutletsNeedTheSqsProtocol', {
    ruleCondition: sw.condition?.expression,
    assertions: [
      {
        assert: Fn.conditionContains(protocols, 'sqs'),
        assertDescription:
          'SecurityHub or ChatTopicArn subscribes the outlets queue to the findings topic, so SubscriptionProtocols must include sqs.',
      },
    ],
  });
}

export interface OutletsProps {
  readonly role: iam.Role;
  readonly key: kms.IKey;
  readonly topic: sns.ITopic;
  /** `/idc-guardrail/<stack>`: the log group is `<prefix>/outlets`. */
  readonly logGroupPrefix: string;
  readonly logRetention: logs.RetentionDays;
  readonly code: lambda.Code;
  readonly architecture: lambda.Architecture;
  readonly logLevel: string;
  readonly securityHub: string;
  readonly chatTopicArn: string;
  readonly chatMinSeverity: string;
}

/** The outlets' parts (their Security Hub and chat policies are addFindingDestinations'). */
export interface Outlets {
  /** Under which condition they exist; absent, unconditionally. */
  readonly condition?: CfnCondition;
  readonly role: iam.Role;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly subscription: sns.CfnSubscription;
  readonly logGroup: logs.LogGroup;
  readonly policy: iam.Policy;
  readonly function: lambda.Function;
  readonly queueMapping: lambda.EventSourceMapping;
}

export function createOutlets(scope: Construct, sw: OutletsSwitch, props: OutletsProps): Outlets {
  const spec = SPECS.outlets;
  // Retained like the other dead-letter queues: what did not reach Security Hub or chat.
  const deadLetterQueue = new sqs.Queue(scope, 'OutletsDeadLetterQueue', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: props.key,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // Visibility timeout = 6 x the function's timeout (AWS guidance for event source mappings).
  const queue = new sqs.Queue(scope, 'OutletsQueue', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: props.key,
    visibilityTimeout: Duration.seconds(6 * spec.timeout),
    retentionPeriod: Duration.days(OUTLETS_RETENTION_DAYS),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: OUTLETS_MAX_RECEIVE_COUNT },
  });
  // Only SNS, for the findings topic, may send.
  const queuePolicy = new sqs.QueuePolicy(scope, 'OutletsQueuePolicy', { queues: [queue] });
  queuePolicy.document.addStatements(
    new iam.PolicyStatement({
      sid: 'FindingsTopicMaySend',
      principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': props.topic.topicArn } },
    }),
  );
  // Not sns.Subscription with SqsSubscription: it would add grants to the queue and key policies
  // beyond the ones declared here. After the queue policy: nothing is delivered before SNS may send.
  const subscription = new sns.CfnSubscription(scope, 'OutletsSubscription', {
    topicArn: props.topic.topicArn,
    protocol: 'sqs',
    endpoint: queue.queueArn,
    rawMessageDelivery: true,
    filterPolicyScope: 'MessageAttributes',
    filterPolicy: { message_type: ['finding'] },
  });
  subscription.node.addDependency(queuePolicy);
  const logGroup = new logs.LogGroup(scope, 'OutletsLogGroup', {
    logGroupName: `${props.logGroupPrefix}/outlets`,
    retention: props.logRetention,
    encryptionKey: props.key,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // It receives the findings from its queue (SQS itself moves its dead letters), which SQS
  // decrypts for it, and writes its logs; it assumes no member role and publishes no finding.
  const policy = new iam.Policy(scope, 'OutletsPolicy', {
    policyName: 'idc-guardrail-outlets',
    roles: [props.role],
    statements: [
      new iam.PolicyStatement({
        sid: 'ConsumeOutletsQueue',
        actions: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
        resources: [queue.queueArn],
      }),
      new iam.PolicyStatement({ sid: 'UseGuardrailKey', actions: ['kms:Decrypt'], resources: [props.key.keyArn] }),
      new iam.PolicyStatement({
        sid: 'WriteLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    ],
  });
  const fn = new lambda.Function(scope, 'OutletsFunction', {
    description: spec.description,
    code: props.code,
    handler: 'bootstrap',
    runtime: lambda.Runtime.PROVIDED_AL2023,
    architecture: props.architecture,
    memorySize: spec.memorySize,
    timeout: Duration.seconds(spec.timeout),
    role: props.role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    applicationLogLevelV2: props.logLevel as lambda.ApplicationLogLevel,
    systemLogLevelV2: lambda.SystemLogLevel.WARN,
    environment: {
      // The findings topic: its ARN names the guardrail's partition, account and Region, hence
      // the Security Hub product the findings are imported to.
      TOPIC_ARN: props.topic.topicArn,
      GUARDRAIL_NAME: Aws.STACK_NAME,
      SECURITY_HUB: props.securityHub,
      CHAT_TOPIC_ARN: props.chatTopicArn,
      CHAT_MIN_SEVERITY: props.chatMinSeverity,
    },
  });
  (fn.node.defaultChild as lambda.CfnFunction).addMetadata('checkov', { skip: spec.checkovSkips });
  fn.node.addDependency(policy);
  Tags.of(fn).add('idc-guardrail:function', 'outlets');
  // At most 2 concurrent invocations: Security Hub allows BatchImportFindings about 10 requests
  // per second per account and Region (burst 30), and the imports, the updates that resolve
  // deleted instances' findings and the retries of a burst (a large sweep) must stay within it.
  // A failed record is reported back alone (ReportBatchItemFailures).
  const queueMapping = new lambda.EventSourceMapping(scope, 'OutletsQueueMapping', {
    target: fn,
    eventSourceArn: queue.queueArn,
    batchSize: OUTLETS_BATCH_SIZE,
    maxBatchingWindow: Duration.seconds(OUTLETS_BATCHING_WINDOW_SECONDS),
    reportBatchItemFailures: true,
    maxConcurrency: OUTLETS_MAX_CONCURRENCY,
  });
  onlyWithOutlets(sw, deadLetterQueue, queue, queuePolicy, subscription, logGroup, policy, fn, queueMapping);
  return {
    condition: sw.condition,
    role: props.role,
    queue,
    deadLetterQueue,
    subscription,
    logGroup,
    policy,
    function: fn,
    queueMapping,
  };
}
