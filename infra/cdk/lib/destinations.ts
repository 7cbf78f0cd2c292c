import { Aws, CfnCondition, Fn, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** ChatMinSeverity: the lowest severity posted to the chat topic. */
export const CHAT_SEVERITIES = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
/** An SNS topic ARN, or empty (ChatTopicArn, OperationsTopicArn). */
export const TOPIC_ARN_PATTERN = '^(arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256})?$';

/**
 * Refuses at synth time what the template's parameters would refuse at deploy time (a token is
 * left to them): securityHub is 'true' or 'false', chatTopicArn an SNS topic ARN or empty.
 */
export function checkDestinations(securityHub: string, chatTopicArn: string): void {
  if (!Token.isUnresolved(securityHub) && securityHub !== 'true' && securityHub !== 'false') {
    throw new Error(`idc-guardrail: securityHub must be 'true' or 'false': ${securityHub}`);
  }
  if (!Token.isUnresolved(chatTopicArn) && chatTopicArn !== '' && !new RegExp(TOPIC_ARN_PATTERN).test(chatTopicArn)) {
    throw new Error(`idc-guardrail: chatTopicArn must be an SNS topic ARN: ${chatTopicArn}`);
  }
}

/**
 * Only the outlets function (its role is `roles`) imports findings into Security Hub (only its own
 * account's default product, only when securityHub is 'true') and posts chat notices (only to
 * chatTopicArn, only when it is set); the functions that delete do neither. Each is a policy of
 * its own, as in infra/stacks/policies.yaml: a token makes it conditional, a literal decides at
 * synth time. When only one of them is a token, the outlets' condition (`outlets`) is that
 * token's own: it is used rather than a second condition that says the same.
 */
export function addFindingDestinations(
  scope: Construct,
  roles: iam.IRole[],
  securityHub: string,
  chatTopicArn: string,
  outlets?: CfnCondition,
): iam.Policy[] {
  checkDestinations(securityHub, chatTopicArn);
  const same = outlets && Token.isUnresolved(securityHub) !== Token.isUnresolved(chatTopicArn) ? outlets : undefined;
  const policies: iam.Policy[] = [];
  const policy = (id: string, name: string, statements: iam.PolicyStatement[], condition?: CfnCondition) => {
    const p = new iam.Policy(scope, id, { policyName: name, roles, statements });
    if (condition) (p.node.defaultChild as iam.CfnPolicy).cfnOptions.condition = condition;
    policies.push(p);
  };
  const securityHubStatements = [
    new iam.PolicyStatement({
      sid: 'ImportFindingsToSecurityHub',
      actions: ['securityhub:BatchImportFindings'],
      resources: [`arn:${Aws.PARTITION}:securityhub:${Aws.REGION}:${Aws.ACCOUNT_ID}:product/${Aws.ACCOUNT_ID}/default`],
    }),
    // A re-import cannot change Workflow: a deleted instance's finding is set to RESOLVED
    // with BatchUpdateFindings, on this account's own hub.
    new iam.PolicyStatement({
      sid: 'ResolveFindingsInSecurityHub',
      actions: ['securityhub:BatchUpdateFindings'],
      resources: [`arn:${Aws.PARTITION}:securityhub:${Aws.REGION}:${Aws.ACCOUNT_ID}:hub/default`],
    }),
  ];
  if (Token.isUnresolved(securityHub)) {
    const condition =
      same ?? new CfnCondition(scope, 'ImportToSecurityHub', { expression: Fn.conditionEquals(securityHub, 'true') });
    policy('SecurityHubImportPolicy', 'idc-guardrail-security-hub', securityHubStatements, condition);
  } else if (securityHub === 'true') {
    policy('SecurityHubImportPolicy', 'idc-guardrail-security-hub', securityHubStatements);
  }
  const chatStatement = () =>
    new iam.PolicyStatement({ sid: 'PublishChatNotices', actions: ['sns:Publish'], resources: [chatTopicArn] });
  if (Token.isUnresolved(chatTopicArn)) {
    const condition =
      same ?? new CfnCondition(scope, 'HasChatTopic', { expression: Fn.conditionNot(Fn.conditionEquals(chatTopicArn, '')) });
    policy('ChatPublishPolicy', 'idc-guardrail-chat', [chatStatement()], condition);
  } else if (chatTopicArn !== '') {
    policy('ChatPublishPolicy', 'idc-guardrail-chat', [chatStatement()]);
  }
  return policies;
}
