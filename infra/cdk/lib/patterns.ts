import * as events from 'aws-cdk-lib/aws-events';

/**
 * The event patterns of the guardrail. infra/template.yaml (SAM) and
 * infra/member-stackset.yaml carry the same patterns; infra/tests checks it.
 */

/** sso CreateInstance, any outcome: failed calls (e.g. denied by the SCP) produce IDC004. */
export const CREATE_INSTANCE_PATTERN: events.EventPattern = {
  source: ['aws.sso'],
  detailType: ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['sso.amazonaws.com'],
    eventName: ['CreateInstance'],
  },
};

/** RegisterDelegatedAdministrator, only for Identity Center. */
export const DELEGATED_ADMIN_PATTERN: events.EventPattern = {
  source: ['aws.organizations'],
  detailType: ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['organizations.amazonaws.com'],
    eventName: ['RegisterDelegatedAdministrator'],
    requestParameters: {
      servicePrincipal: ['sso.amazonaws.com'],
    },
  },
};

/** An account joins the organization: invitation accepted, or account created. */
export const ACCOUNT_JOINED_PATTERN: events.EventPattern = {
  source: ['aws.organizations'],
  detailType: ['AWS API Call via CloudTrail', 'AWS Service Event via CloudTrail'],
  detail: {
    eventSource: ['organizations.amazonaws.com'],
    eventName: ['AcceptHandshake', 'AccountJoinedOrganization', 'CreateAccountResult'],
  },
};

/** Binary names built by cargo-lambda (target/lambda/<name>/bootstrap). */
export const FUNCTION_NAMES = ['on-create-instance', 'on-org-event', 'sweep', 'sweep-worker', 'outlets'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/**
 * The functions that judge and remediate: they assume the member role, publish findings to the
 * topic and are named by FunctionRoleArns. The outlets function (Security Hub, chat) reads the
 * findings from its own queue, off the delete path, and exists only when one of them is asked for.
 */
export const REMEDIATION_FUNCTION_NAMES = ['on-create-instance', 'on-org-event', 'sweep', 'sweep-worker'] as const;
export type RemediationFunctionName = (typeof REMEDIATION_FUNCTION_NAMES)[number];

/** The functions that event patterns route to (the sweep runs on a schedule, its worker on SQS). */
export type EventFunctionName = Extract<RemediationFunctionName, 'on-create-instance' | 'on-org-event'>;

/** Which function each pattern routes to. */
export const ROUTES: ReadonlyArray<{ id: string; pattern: events.EventPattern; target: EventFunctionName; description: string }> = [
  {
    id: 'CreateInstanceRule',
    pattern: CREATE_INSTANCE_PATTERN,
    target: 'on-create-instance',
    description: 'idc-guardrail: sso CreateInstance (any outcome) -> on-create-instance',
  },
  {
    id: 'DelegatedAdminRule',
    pattern: DELEGATED_ADMIN_PATTERN,
    target: 'on-org-event',
    description: 'idc-guardrail: organizations RegisterDelegatedAdministrator for sso.amazonaws.com -> on-org-event',
  },
  {
    id: 'AccountJoinedRule',
    pattern: ACCOUNT_JOINED_PATTERN,
    target: 'on-org-event',
    description: 'idc-guardrail: an account joins the organization -> on-org-event',
  },
];
