import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { FunctionName } from './patterns';

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
  /**
   * EXEMPTIONS: central exemptions, a JSON list, e.g.
   * `[{"account":"222222222222","expires":"2027-01-31","reason":"QuickSight trial, SEC-123"}]`
   * (or "instance_arn" instead of "account"). Each needs an expiry; past it, IDC005. At most
   * 3000 characters (Lambda environments are limited to 4 KB). May be a token.
   * @default '' (none)
   */
  readonly exemptions?: string;
  /** @default '' (no tag exemption) */
  readonly exemptTag?: string;
  /**
   * EXEMPT_TAG_POLICY_ID: id (p-...) of the attached SCP that protects exemptTag; without it the
   * tag is no exemption. May be a token.
   * @default ''
   */
  readonly exemptTagPolicyId?: string;
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
  /**
   * The functions' log level, Lambda's ApplicationLogLevel (one of APPLICATION_LOG_LEVELS), which
   * they read as AWS_LAMBDA_LOG_LEVEL; the log format is JSON and Lambda's own lines are kept from
   * WARN (SystemLogLevel). @default 'INFO'
   */
  readonly logLevel?: string;
  /** Schedule of the org-wide sweep (rate() or cron()). @default 'rate(1 day)' */
  readonly sweepSchedule?: string;
  /**
   * REGIONS of every function that judges: comma-separated Regions searched for instances.
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
  /**
   * SECURITY_HUB of the outlets function: also import every finding into Security Hub
   * ('true'/'false', may be a token), off the delete path. With it or chatTopicArn the construct
   * adds the outlets (function, queue subscribed to the findings topic, dead-letter queue, alarms).
   * @default 'false'
   */
  readonly securityHub?: string;
  /** CHAT_TOPIC_ARN of the outlets function: SNS topic for a short notice per finding of at least chatMinSeverity. @default '' (none) */
  readonly chatTopicArn?: string;
  /** CHAT_MIN_SEVERITY of the outlets function: INFO, LOW, MEDIUM, HIGH or CRITICAL. @default 'HIGH' */
  readonly chatMinSeverity?: string;
  /** Topic of the guardrail's own alarms. @default '' (the findings topic) */
  readonly operationsTopicArn?: string;
  /** The period of sweepSchedule in seconds: the sweep alarms' window. @default 86400 */
  readonly sweepPeriodSeconds?: number;
}
