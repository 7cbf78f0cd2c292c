import { Aws, CfnCondition, CfnRule, Fn, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';

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

/** `aws:PrincipalArn` patterns of the subscribers: the stack's account, then the listed ones. */
export function subscriberArns(scope: Construct, listed: string): unknown {
  const ownAccount = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:*`;
  if (!Token.isUnresolved(listed)) {
    if (!new RegExp(SUBSCRIBER_PRINCIPALS_PATTERN).test(listed)) {
      throw new Error(`idc-guardrail: subscriberPrincipals must be IAM principal ARNs with their account: ${listed}`);
    }
    return [ownAccount, ...listed.split(',').filter((p) => p !== '')];
  }
  const hasListed = new CfnCondition(scope, 'HasSubscriberPrincipals', {
    expression: Fn.conditionNot(Fn.conditionEquals(listed, '')),
  });
  return Fn.conditionIf(hasListed.logicalId, Fn.split(',', `${ownAccount},${listed}`), [ownAccount]);
}

/** The stack's own e-mail subscription is subject to the topic policy too. */
export function checkAlertEmailProtocol(scope: Construct, alertEmail: string | undefined, protocols: string[]): void {
  if (alertEmail === undefined) return;
  if (!Token.isUnresolved(alertEmail) && !Token.isUnresolved(protocols)) {
    if (alertEmail !== '' && !protocols.includes('email')) {
      throw new Error('idc-guardrail: alertEmail subscribes an e-mail address, so subscriptionProtocols must include email');
    }
    return;
  }
  new CfnRule(scope, 'AlertEmailNeedsTheEmailProtocol', {
    ruleCondition: Fn.conditionNot(Fn.conditionEquals(alertEmail, '')),
    assertions: [
      {
        assert: Fn.conditionContains(protocols, 'email'),
        assertDescription: 'AlertEmail subscribes an e-mail address, so SubscriptionProtocols must include email.',
      },
    ],
  });
}
