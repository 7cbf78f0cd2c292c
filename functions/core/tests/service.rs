//! The live path over in-memory fakes of the ports: what is deleted, what is published,
//! and when the call fails.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use chrono::{DateTime, Utc};
use idc_core::ports::{
    DeleteOutcome, FindingPublisher, InstancePort, OrganizationPort, PortError, PortErrorKind,
};
use idc_core::{
    Finding, Guardrail, HandleError, Instance, InstanceStatus, Organization, Policy,
    RemediationStatus, RuleId, Settings,
};
use serde_json::{json, Value};

const MGMT: &str = "111111111111";
const MEMBER: &str = "222222222222";
const ADMIN: &str = "333333333333";
const ORG_ARN: &str = "arn:aws:sso:::instance/ssoins-0rg0000000000001";
const MEMBER_ARN: &str = "arn:aws:sso:::instance/ssoins-member0000000001";
const ADMIN_ARN: &str = "arn:aws:sso:::instance/ssoins-admin00000000001";

/// The fakes never wait, so polling once with a no-op waker completes them.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

struct Org;
impl OrganizationPort for Org {
    async fn describe_organization(&self) -> Result<Option<Organization>, PortError> {
        Ok(Some(Organization {
            id: "o-fake".into(),
            management_account_id: MGMT.into(),
        }))
    }
    async fn sso_delegated_admins(&self) -> Result<Vec<String>, PortError> {
        Ok(vec![ADMIN.into()])
    }
}

#[derive(Default)]
struct Instances {
    live: Mutex<Vec<Instance>>,
    deletes: Mutex<Vec<String>>,
    unreachable: bool,
    delete_is_ignored: bool,
}

impl Instances {
    fn with(instances: Vec<Instance>) -> Self {
        Instances {
            live: Mutex::new(instances),
            ..Instances::default()
        }
    }
    fn deletes(&self) -> Vec<String> {
        self.deletes.lock().map(|d| d.clone()).unwrap_or_default()
    }
    fn arns(&self) -> Vec<String> {
        self.live
            .lock()
            .map(|l| l.iter().map(|i| i.instance_arn.clone()).collect())
            .unwrap_or_default()
    }
}

fn lock_err<T>(_: T) -> PortError {
    PortError::new(PortErrorKind::Other, "fake", "poisoned")
}

impl InstancePort for Instances {
    async fn list_instances(
        &self,
        account_id: &str,
        region: &str,
    ) -> Result<Vec<Instance>, PortError> {
        if self.unreachable {
            return Err(PortError::new(
                PortErrorKind::Unreachable,
                "AssumeRole",
                "role missing",
            ));
        }
        let live = self.live.lock().map_err(lock_err)?;
        // Visible: the account's own instances, and the org instance for the delegated admin.
        Ok(live
            .iter()
            .filter(|i| i.region == region)
            .filter(|i| {
                i.owner_account_id == account_id
                    || (account_id == ADMIN && i.owner_account_id == MGMT)
            })
            .map(|i| Instance {
                application_count: None,
                tags: None,
                ..i.clone()
            })
            .collect())
    }
    async fn application_count(&self, _: &str, _: &str, arn: &str) -> Result<u32, PortError> {
        let live = self.live.lock().map_err(lock_err)?;
        Ok(live
            .iter()
            .find(|i| i.instance_arn == arn)
            .and_then(|i| i.application_count)
            .unwrap_or(0))
    }
    async fn tags(
        &self,
        _: &str,
        _: &str,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, PortError> {
        let live = self.live.lock().map_err(lock_err)?;
        Ok(live
            .iter()
            .find(|i| i.instance_arn == arn)
            .and_then(|i| i.tags.clone())
            .unwrap_or_default())
    }
    async fn delete_instance(
        &self,
        account_id: &str,
        _: &str,
        arn: &str,
    ) -> Result<DeleteOutcome, PortError> {
        self.deletes.lock().map_err(lock_err)?.push(arn.to_owned());
        let mut live = self.live.lock().map_err(lock_err)?;
        let Some(pos) = live.iter().position(|i| i.instance_arn == arn) else {
            return Ok(DeleteOutcome::NotFound);
        };
        if live[pos].owner_account_id != account_id {
            return Err(PortError::new(
                PortErrorKind::AccessDenied,
                "DeleteInstance",
                "only the owner may delete",
            ));
        }
        if !self.delete_is_ignored {
            live.remove(pos);
        }
        Ok(DeleteOutcome::Accepted)
    }
}

#[derive(Default)]
struct Publisher {
    sent: Mutex<Vec<Finding>>,
    broken: bool,
}
impl Publisher {
    fn sent(&self) -> Vec<Finding> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }
}
impl FindingPublisher for Publisher {
    async fn publish(&self, finding: &Finding) -> Result<(), PortError> {
        if self.broken {
            return Err(PortError::new(
                PortErrorKind::Other,
                "Publish",
                "topic does not exist",
            ));
        }
        self.sent.lock().map_err(lock_err)?.push(finding.clone());
        Ok(())
    }
}

fn instance(arn: &str, owner: &str, region: &str, apps: u32) -> Instance {
    Instance {
        instance_arn: arn.into(),
        owner_account_id: owner.into(),
        region: region.into(),
        status: InstanceStatus::Active,
        created_date: None,
        application_count: Some(apps),
        tags: Some(BTreeMap::new()),
    }
}

fn world() -> Vec<Instance> {
    vec![
        instance(ORG_ARN, MGMT, "us-east-1", 3),
        instance(MEMBER_ARN, MEMBER, "eu-west-1", 0),
        instance(ADMIN_ARN, ADMIN, "us-east-1", 0),
    ]
}

fn settings(policy: Policy) -> Settings {
    let mut s = match Settings::from_lookup(|k| {
        (k == "TOPIC_ARN").then(|| "arn:aws:sns:us-east-1:111111111111:t".to_owned())
    }) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    s.policy = policy;
    s.regions = vec!["us-east-1".into(), "eu-west-1".into()];
    s
}

fn auto() -> Policy {
    Policy {
        auto_remediate: true,
        ..Policy::default()
    }
}

fn guardrail(
    instances: Instances,
    publisher: Publisher,
    policy: Policy,
) -> Guardrail<Org, Instances, Publisher> {
    Guardrail {
        organizations: Org,
        instances,
        publisher,
        settings: settings(policy),
    }
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn create_event(account: &str, region: &str, arn: &str) -> Value {
    json!({"version": "0", "id": "e", "detail-type": "AWS API Call via CloudTrail", "source": "aws.sso",
           "account": account, "region": region, "detail": {
        "eventTime": "2026-11-20T10:00:00Z", "eventSource": "sso.amazonaws.com", "eventName": "CreateInstance",
        "awsRegion": region, "eventID": format!("ev-{account}"), "recipientAccountId": account,
        "userIdentity": {"type": "Root", "arn": format!("arn:aws:iam::{account}:root"), "accountId": account},
        "responseElements": {"instanceArn": arn}}})
}

fn register_event(account: &str) -> Value {
    json!({"version": "0", "id": "r", "detail-type": "AWS API Call via CloudTrail", "source": "aws.organizations",
           "account": MGMT, "region": "us-east-1", "detail": {
        "eventTime": "2026-11-20T11:00:00Z", "eventSource": "organizations.amazonaws.com",
        "eventName": "RegisterDelegatedAdministrator", "awsRegion": "us-east-1", "eventID": "ev-reg",
        "recipientAccountId": MGMT, "requestParameters": {"accountId": account, "servicePrincipal": "sso.amazonaws.com"}}})
}

fn statuses(g: &Guardrail<Org, Instances, Publisher>) -> Vec<(RuleId, RemediationStatus)> {
    g.publisher
        .sent()
        .iter()
        .map(|f| (f.rule, f.remediation.status))
        .collect()
}

#[test]
fn member_instance_is_deleted_confirmed_and_published() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    let out = block_on(g.handle(create_event(MEMBER, "eu-west-1", MEMBER_ARN), now()));
    assert!(out.is_ok(), "{out:?}");
    assert_eq!(g.instances.deletes(), vec![MEMBER_ARN.to_owned()]);
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::Deleted)]
    );
    assert!(!g.instances.arns().contains(&MEMBER_ARN.to_owned()));
}

#[test]
fn report_only_by_default_deletes_nothing() {
    let g = guardrail(
        Instances::with(world()),
        Publisher::default(),
        Policy::default(),
    );
    assert!(block_on(g.handle(create_event(MEMBER, "eu-west-1", MEMBER_ARN), now())).is_ok());
    assert!(g.instances.deletes().is_empty());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::SkippedNotEnabled)]
    );
}

#[test]
fn duplicate_delivery_deletes_once_with_identical_ids() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    let event = create_event(MEMBER, "eu-west-1", MEMBER_ARN);
    assert!(block_on(g.handle(event.clone(), now())).is_ok());
    assert!(block_on(g.handle(event, now())).is_ok());
    assert_eq!(g.instances.deletes().len(), 1, "one deletion");
    let sent = g.publisher.sent();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].id, sent[1].id);
    assert_eq!(
        sent[1].remediation.status,
        RemediationStatus::AlreadyDeleted
    );
}

#[test]
fn delegated_admin_registration_deletes_the_account_instance_not_the_org_instance() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    assert!(block_on(g.handle(register_event(ADMIN), now())).is_ok());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC002, RemediationStatus::Deleted)]
    );
    assert_eq!(g.instances.deletes(), vec![ADMIN_ARN.to_owned()]);
    assert!(g.instances.arns().contains(&ORG_ARN.to_owned()));
}

#[test]
fn management_account_instance_is_never_deleted_with_every_flag_on() {
    let all = Policy {
        auto_remediate: true,
        force_delete_in_use: true,
        ..Policy::default()
    };
    let g = guardrail(Instances::with(world()), Publisher::default(), all);
    assert!(block_on(g.handle(create_event(MGMT, "us-east-1", ORG_ARN), now())).is_ok());
    assert!(block_on(g.handle(register_event(ADMIN), now())).is_ok());
    assert!(!g.instances.deletes().contains(&ORG_ARN.to_owned()));
    assert!(g.instances.arns().contains(&ORG_ARN.to_owned()));
}

#[test]
fn in_use_instance_is_skipped() {
    let mut w = world();
    w[1].application_count = Some(2);
    let g = guardrail(Instances::with(w), Publisher::default(), auto());
    assert!(block_on(g.handle(create_event(MEMBER, "eu-west-1", MEMBER_ARN), now())).is_ok());
    assert!(g.instances.deletes().is_empty());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::SkippedInUse)]
    );
}

#[test]
fn failed_publish_fails_the_call_and_a_retry_reports_already_deleted() {
    let mut g = guardrail(
        Instances::with(world()),
        Publisher {
            broken: true,
            ..Publisher::default()
        },
        auto(),
    );
    let event = create_event(MEMBER, "eu-west-1", MEMBER_ARN);
    let first = block_on(g.handle(event.clone(), now()));
    assert!(
        matches!(
            first,
            Err(HandleError::Publish {
                failed: 1,
                total: 1,
                ..
            })
        ),
        "{first:?}"
    );
    g.publisher.broken = false;
    assert!(block_on(g.handle(event, now())).is_ok());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::AlreadyDeleted)]
    );
    assert_eq!(g.instances.deletes().len(), 1);
}

#[test]
fn bad_event_is_an_error_and_touches_nothing() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    let out = block_on(g.handle(
        json!({"detail-type": "AWS API Call via CloudTrail", "source": "aws.sso"}),
        now(),
    ));
    assert!(matches!(out, Err(HandleError::BadEvent(_))));
    assert!(g.instances.deletes().is_empty() && g.publisher.sent().is_empty());
}

#[test]
fn unreachable_account_publishes_failed_and_asks_for_a_retry() {
    let g = guardrail(
        Instances {
            unreachable: true,
            ..Instances::with(world())
        },
        Publisher::default(),
        auto(),
    );
    let out = block_on(g.handle(create_event(MEMBER, "eu-west-1", MEMBER_ARN), now()));
    assert!(matches!(out, Err(HandleError::Gather(_))), "{out:?}");
    assert!(g.instances.deletes().is_empty());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::Failed)]
    );
}

#[test]
fn a_delete_that_does_not_take_is_reported_failed() {
    let g = guardrail(
        Instances {
            delete_is_ignored: true,
            ..Instances::with(world())
        },
        Publisher::default(),
        auto(),
    );
    assert!(block_on(g.handle(create_event(MEMBER, "eu-west-1", MEMBER_ARN), now())).is_ok());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::Failed)]
    );
}

#[test]
fn ignored_events_publish_nothing() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    let mut event = register_event(MEMBER);
    event["detail"]["requestParameters"]["servicePrincipal"] = json!("config.amazonaws.com");
    assert!(block_on(g.handle(event, now())).is_ok());
    assert!(g.publisher.sent().is_empty());
}
