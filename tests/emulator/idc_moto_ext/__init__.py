r"""idc-guardrail extension of moto 5.2.5 (server mode) for IAM Identity Center account instances.

Import this package before the moto server starts (``launch.py`` does). It patches moto's own
backends and response classes; it is not an HTTP fake of AWS. What it adds, and why:

* sso-admin (awsJson1_1, target ``SWBExternalService``). Stock moto gives every account and Region
  an ACTIVE instance on ``ListInstances`` (real AWS: none) and lacks ``CreateInstance``,
  ``DescribeInstance``, ``DeleteInstance`` (HTTP 500 HTML), applications and tags. Added, after the
  IAM Identity Center API reference:
    - CreateInstance: caller's account owns it; one instance per account across all Regions
      (ConflictException); rejected in an organization's management account with
      ValidationException "Organization management account is not allowed to perform the
      operation." (HTTP 400; the text AWS returns; ValidationException is our choice of code
      since the reference lists no dedicated one); Name, Tags, ClientToken idempotency.
      Generated ids match the documented patterns: arn:PARTITION:sso:::instance/ssoins-<16 hex>
      (the Region's partition), identity store d-<10 hex>.
    - Input constraints (the reference's length limits and patterns, matched against the whole
      value), checked first on every sso-admin action, stock moto's included: InstanceArn
      (10-1224, arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}; required
      except on the tag operations), ResourceArn of the tag operations (TaggableResourceArn,
      10-2048), Name of CreateInstance/UpdateInstance (0-255, [\w+=,.@-]+, ASCII \w), the Tags of
      CreateInstance/TagResource/CreateApplication (Key 1-128, Value 0-256, both
      [\p{L}\p{Z}\p{N}_.:/=+\-@]*, at 'tags.N.member.key'), UntagResource's TagKeys (one clause for
      the list), ListInstances' RegionScope (CURRENT_REGION | ALL_REGIONS). A violation
      is HTTP 400 ValidationException worded as AWS words it: "1 validation error detected: Value
      'X' at 'instanceArn' failed to satisfy constraint: Member must satisfy regular expression
      pattern: P" (every violated constraint, "; "-separated; "Value null ... Member must not be
      null" when a required one is absent). A well-formed ARN that names nothing keeps its answer
      (AccessDeniedException for DescribeInstance/DeleteInstance).
    - CREATE_IN_PROGRESS: the reference allows only DescribeInstance and DeleteInstance then and
      names no error for the rest. ListApplications, CreateApplication, TagResource, UntagResource,
      ListTagsForResource (instance or application ARN) and UpdateInstance answer
      ValidationException (our choice: the one code all of them declare; ConflictException is not
      declared by ListApplications or ListTagsForResource); the access check comes first.
      DescribeInstance answers normally and ListInstances lists it. DeleteInstance may be called
      then, the reference says, without saying what it answers: here ConflictException (declared
      by DeleteInstance; our choice, so that a caller must wait and retry).
    - CREATE_FAILED (with StatusReason, in ListInstances and DescribeInstance), set by the
      endpoints below: described and deleted only, the rest ValidationException (our choice).
    - DELETE_IN_PROGRESS: deletion is immediate unless /idc-guardrail/delete-in-progress-reads
      says otherwise; then the instance is DELETE_IN_PROGRESS for N reads, then gone. A second
      DeleteInstance meanwhile: ConflictException (our choice; the reference does not say).
    - DescribeInstance / DeleteInstance: the owner, in the instance's Region (DescribeInstance also
      the Identity Center delegated administrator for the org instance it administers); anyone
      else, and any instance already deleted, gets AccessDeniedException -- DeleteInstance lists no
      ResourceNotFoundException. Deleting an instance with applications succeeds and takes them
      with it: the API has no "in use" error, so a caller must count applications first.
    - ListInstances (MaxResults/NextToken; RegionScope ALL_REGIONS: from every Region): in the
      caller's Region, the caller's own instance,
      plus the organization instance when the caller is the registered sso.amazonaws.com
      delegated administrator (the "two instances in one Region" trap). Fields that are absent
      are omitted rather than sent as null.
    - CreateApplication / ListApplications (by InstanceArn, paginated); TagResource /
      UntagResource / ListTagsForResource on instance and application ARNs.
    - DescribeApplicationProvider / ListApplicationProviders: a small catalogue of AWS-managed
      providers (display names ours; see ``providers``) plus those registered by the endpoint
      below; an unknown ARN is ResourceNotFoundException.
    - Create/List/Describe/DeleteApplicationAssignment on applications of instances the caller may
      use (as ListApplications); see ``assignments``.
* identitystore: stock serves users and groups for any IdentityStoreId; here the store is the
  instance's, for its owner (and the delegated admin for the org instance) in its Region; others
  AccessDeniedException, an unknown store ResourceNotFoundException. See ``identitystore``.
* quicksight: CreateAccountSubscription / DescribeAccountSubscription (missing in stock), with
  IAM_IDENTITY_CENTER and IAMIdentityCenterInstanceArn. See ``quicksight``.
* organizations: ``sso.amazonaws.com`` accepted by Register/DeregisterDelegatedAdministrator
  (stock rejects it and leaves a half-registered entry) and by ListDelegatedAdministrators; a
  failed registration leaves nothing behind. DescribeAccount, ListAccounts,
  ListDelegatedAdministrators and ListDelegatedServicesForAccount from a member answer
  AccessDeniedException unless the member is a delegated administrator (then they read the
  organization), and AWSOrganizationsNotInUseException from a standalone account.
* sns: an SQS subscription delivers into the queue's own account (stock: the topic's account,
  NonExistentQueue); a queue owner's subscription to another account's topic receives its messages;
  the envelope's UnsubscribeURL names the subscription; a missing subscribed queue is a lost
  delivery, not the publisher's error; a malformed topic ARN is InvalidParameter "Invalid parameter:
  TopicArn", an unknown topic NotFound "Topic does not exist" (awsQuery XML). See ``sns.py``.
* securityhub: ``BatchUpdateFindings`` (missing in stock moto) sets ``Workflow.Status`` and
  ``Note``; a re-import by ``BatchImportFindings`` keeps ``Workflow`` (and the other customer
  fields), as the API reference says it must; new findings default to Workflow NEW and RecordState
  ACTIVE; default-product findings only from the account they name; ``GetFindings`` honours its
  string ``Filters``; EnableSecurityHub twice is ResourceConflictException; every call but
  EnableSecurityHub refused ("not subscribed") before EnableSecurityHub in the caller's account and
  Region and after DisableSecurityHub, as in AWS. See ``securityhub.py``.
* sts: stock AssumeRole succeeds for any role ARN (the role need not exist). A role ARN put on the
  deny list (endpoint below) answers what AWS answers for a missing or untrusting role: HTTP 403,
  awsQuery ``<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>...``, "User: CALLER
  is not authorized to perform: sts:AssumeRole on resource: ROLE_ARN".

TEST-ONLY endpoints (no AWS counterpart; the org instance has no creation API), in the style of
``/moto-api/``, all ``POST`` with a JSON body, answering JSON:
  /idc-guardrail/seed-org-instance      {"account_id": MGMT, "region": R, "name"?: N}
  /idc-guardrail/instance-status        {"instance_arn": ARN, "status": S, "active_after_reads"?: N,
                                         "status_reason"?: R}
  /idc-guardrail/create-instance-status {"status": "ACTIVE" | "CREATE_IN_PROGRESS" | "CREATE_FAILED",
                                         "active_after_reads"?: N, "status_reason"?: R}
                                        status of new instances; with N (whole, >= 1; only with
                                        CREATE_IN_PROGRESS) an instance reports CREATE_IN_PROGRESS
                                        to its next N reads (DescribeInstance, or a ListInstances
                                        page that includes it), then is ACTIVE. Without N it stays
                                        CREATE_IN_PROGRESS until set otherwise. No clock involved.
  /idc-guardrail/delete-conflicts       {"count": N}  next N DeleteInstance -> ConflictException
  /idc-guardrail/delete-in-progress-reads {"reads": N}  DeleteInstance leaves DELETE_IN_PROGRESS for
                                        N reads, then gone (0, the default: at once)
  /idc-guardrail/instance-created-date  {"instance_arn": ARN, "created_date": EPOCH_SECONDS | RFC3339}
                                        the CreatedDate ListInstances/DescribeInstance report
  /idc-guardrail/application-provider  {"application_provider_arn": ARN, "display_name": N,
                                         "description"?: D, "icon_url"?: U, "federation_protocol"?: P}
                                        a provider DescribeApplicationProvider then answers
  /idc-guardrail/deny-assume-role       {"role_arn": ROLE_ARN, "deny"?: true | false}  AssumeRole of
                                        exactly that ARN -> 403 AccessDenied (false: allowed again)
  /idc-guardrail/state                  (GET) every instance (with ReadsUntilActive) and the
                                        switches, for debugging
``POST /moto-api/reset`` clears all of it.

Layout, one job a module: ``instances`` (the sso-admin model: who may use an instance, reads,
pagination, tags), ``validation`` (input constraints), ``ssoadmin`` (the sso-admin API),
``providers`` (application providers), ``assignments`` (application assignments),
``identitystore`` (an instance's identity store), ``quicksight`` (account subscriptions),
``organizations``, ``sns``, ``securityhub`` (with ``securityhub_filters``), ``sts``, ``control_endpoints`` (the test-only endpoints and the reset),
with ``errors``, ``state`` and ``org_facts`` shared by them. Importing the package installs every
patch, in that order.
"""

from . import (assignments, control_endpoints, identitystore, instances, organizations, providers, quicksight,
               securityhub, sns, ssoadmin, sts)

for _module in (instances, ssoadmin, providers, assignments, identitystore, quicksight, organizations, sns,
                securityhub, sts, control_endpoints):
    _module.install()
