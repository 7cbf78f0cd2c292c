import { Token } from 'aws-cdk-lib';

/**
 * Exemptions (EXEMPTIONS): central exemptions as a JSON list, e.g.
 * `[{"account":"222222222222","expires":"2027-01-31","reason":"QuickSight trial, SEC-123"}]`,
 * or with "instance_arn" instead of "account". Held centrally, so only the security team can
 * grant one; each needs an expiry (past it, IDC005). A Lambda function's environment is limited
 * to 4 KB in total, hence at most 3000 characters. Same as infra/template.yaml.
 */
export const EXEMPTIONS_MAX_LENGTH = 3000;
/** Empty, or a JSON list (its entries are read by the functions, which refuse a bad one). */
export const EXEMPTIONS_PATTERN = '^(\\[[\\s\\S]*\\])?$';
/** ExemptTagPolicyId (EXEMPT_TAG_POLICY_ID): empty, or the id of the SCP that protects ExemptTag. */
export const EXEMPT_TAG_POLICY_ID_PATTERN = '^$|^p-[0-9a-z]{8,128}$';

/**
 * Refuses at synth time what the template's parameters would refuse at deploy time (a token is
 * left to them), and an entry without an expiry or without what it exempts.
 */
export function checkExemptions(exemptions: string, exemptTagPolicyId: string): void {
  if (!Token.isUnresolved(exemptTagPolicyId) && !new RegExp(EXEMPT_TAG_POLICY_ID_PATTERN).test(exemptTagPolicyId)) {
    throw new Error(`idc-guardrail: exemptTagPolicyId must be an SCP id (p-...) or empty: ${exemptTagPolicyId}`);
  }
  if (Token.isUnresolved(exemptions) || exemptions === '') return;
  if (exemptions.length > EXEMPTIONS_MAX_LENGTH) {
    throw new Error(
      `idc-guardrail: exemptions has ${exemptions.length} characters, at most ${EXEMPTIONS_MAX_LENGTH} (Lambda environments are limited to 4 KB)`,
    );
  }
  let list: unknown;
  try {
    list = JSON.parse(exemptions);
  } catch (e) {
    throw new Error(`idc-guardrail: exemptions must be a JSON list: ${(e as Error).message}`);
  }
  if (!Array.isArray(list) || !new RegExp(EXEMPTIONS_PATTERN).test(exemptions)) {
    throw new Error('idc-guardrail: exemptions must be a JSON list of exemptions');
  }
  for (const entry of list) {
    const e = entry as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) {
      throw new Error(`idc-guardrail: an exemption must be an object: ${JSON.stringify(entry)}`);
    }
    if (('account' in e) === ('instance_arn' in e)) {
      throw new Error(`idc-guardrail: an exemption names either "account" or "instance_arn": ${JSON.stringify(entry)}`);
    }
    if (typeof e.expires !== 'string' || e.expires === '') {
      throw new Error(`idc-guardrail: every exemption needs "expires": ${JSON.stringify(entry)}`);
    }
  }
}
