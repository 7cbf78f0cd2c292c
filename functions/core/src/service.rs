//! The live path of an event, over the ports: envelope → trigger → facts (organization ‖ the
//! account's instances, then applications and tags) → rules and policy → remediation (see
//! [`crate::remediate`]) → every finding published.
//!
//! The invocation fails — so Lambda retries and the dead-letter queue keeps the event — when a
//! message could not be published, when the facts could not be gathered, and when the look was
//! incomplete (a Region not listed, a delete not attempted or kept at `dry_run` by an unknown
//! fact). An incomplete look is also published, as an [`IncompleteNotice`], never as silence.

use crate::clock::{Budget, Sequencer};
use crate::decide::Restraints;
use crate::event::{parse_envelope, CloudTrailEnvelope, Trigger};
use crate::facts::{self, OrgFactsError};
pub use crate::failure::HandleError;
use crate::finding::{Finding, RuleId, Severity};
use crate::inventory::Inventory;
use crate::inventory::Unreachable;
use crate::message::IncompleteNotice;
use crate::policy::Verdict;
use crate::ports::{
    Clock, FindingPublisher, InstancePort, NoQueue, OrganizationPort, PortError, PortErrorKind,
    TaskQueue,
};
use crate::remediate::{Remediator, Troubles};
use crate::rules::{evaluate_trigger_with, event_ref};
use crate::settings::{OutsideRegions, Settings};

/// What one event led to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventReport {
    pub findings: Vec<Finding>,
    pub notes: Vec<String>,
}

/// The guardrail with its adapters; built once per container. `queue` is the sweep's worker
/// queue, if it has one: only then does a large sweep fan out.
pub struct Guardrail<O, I, P, C, Q = NoQueue> {
    pub organizations: O,
    pub instances: I,
    pub publisher: P,
    pub clock: C,
    pub queue: Option<Q>,
    pub settings: Settings,
    pub(crate) sequencer: Sequencer,
}

impl<O, I, P, C> Guardrail<O, I, P, C, NoQueue> {
    pub fn new(organizations: O, instances: I, publisher: P, clock: C, settings: Settings) -> Self {
        Guardrail {
            organizations,
            instances,
            publisher,
            clock,
            queue: None,
            settings,
            sequencer: Sequencer::default(),
        }
    }
}

impl<O, I, P, C, Q> Guardrail<O, I, P, C, Q> {
    /// The same guardrail, fanning large sweeps out to `queue` when there is one.
    pub fn with_queue<Q2>(self, queue: Option<Q2>) -> Guardrail<O, I, P, C, Q2> {
        Guardrail {
            organizations: self.organizations,
            instances: self.instances,
            publisher: self.publisher,
            clock: self.clock,
            queue,
            settings: self.settings,
            sequencer: self.sequencer,
        }
    }
}

/// The facts of one event: what the rules judge, and what could not be seen.
struct Gathered {
    inventory: Inventory,
    organization_id: Option<String>,
    notes: Vec<String>,
    /// The account looked at and the Regions that could not be listed there.
    unknown: Option<(String, Vec<Unreachable>, Vec<String>)>,
    /// The Region where the event's instance is not listed yet, too soon to call it gone.
    unsettled: Option<Unreachable>,
}

// Each use case is bound by the ports it uses, no more: preflight never publishes, only the
// organization-wide sweep may fan out to the queue, acting needs no Organizations.

impl<O: OrganizationPort, I, P, C: Clock, Q> Guardrail<O, I, P, C, Q> {
    /// Who the management account and the Identity Center delegated administrators are.
    pub(crate) async fn organization_facts(
        &self,
        budget: Budget,
    ) -> Result<Inventory, OrgFactsError> {
        facts::organization_facts(
            &self.organizations,
            &self.clock,
            budget,
            self.settings.management_account_id.as_deref(),
            &self.settings.policy,
        )
        .await
    }
}

impl<O, I: InstancePort, P: FindingPublisher, C: Clock, Q: TaskQueue> Guardrail<O, I, P, C, Q> {
    /// What carries out decisions and publishes, within `budget`.
    pub(crate) fn remediator(&self, budget: Budget) -> Remediator<'_, I, P, C, Q> {
        Remediator {
            instances: &self.instances,
            publisher: &self.publisher,
            clock: &self.clock,
            queue: self.queue.as_ref(),
            sequencer: &self.sequencer,
            budget,
        }
    }
}

/// Handling an event.
impl<O, I, P, C, Q> Guardrail<O, I, P, C, Q>
where
    O: OrganizationPort,
    I: InstancePort,
    P: FindingPublisher,
    C: Clock,
    Q: TaskQueue,
{
    /// Handles one EventBridge event.
    pub async fn handle(
        &self,
        envelope: &CloudTrailEnvelope,
        budget: Budget,
    ) -> Result<EventReport, HandleError> {
        let trigger = parse_envelope(envelope)?;
        self.handle_trigger(&trigger, budget).await
    }

    pub async fn handle_trigger(
        &self,
        trigger: &Trigger,
        budget: Budget,
    ) -> Result<EventReport, HandleError> {
        if let Trigger::Ignored(ignored) = trigger {
            tracing::info!(event_name = ?ignored.event_name, reason = %ignored.reason, "event ignored");
            return Ok(EventReport {
                findings: vec![],
                notes: vec![format!("ignored: {}", ignored.reason)],
            });
        }
        let now = self.clock.now();
        let policy = &self.settings.policy;
        let remediator = self.remediator(budget);
        let mut troubles = Troubles::default();
        let (gathered, gather_error) = match self.gather(trigger, budget).await {
            Ok(gathered) => (Some(gathered), None),
            Err(OrgFactsError::Config(error)) => {
                tracing::error!(variable = error.variable, error = %error, "configuration contradicts Organizations");
                return Err(HandleError::Config(error));
            }
            Err(OrgFactsError::Port(error)) => {
                tracing::error!(error = %error, "could not gather facts; evaluating the event alone");
                (None, Some(error))
            }
        };
        let unknown = gathered.as_ref().and_then(|g| g.unknown.as_ref());
        let restraints = Restraints {
            no_facts: gather_error.as_ref().map(ToString::to_string),
            unlisted: unknown
                .iter()
                .flat_map(|(_, unreachable, _)| unreachable)
                .map(|u| {
                    let why = format!(
                        "the instances of {} in {} could not be listed ({})",
                        u.account_id, u.region, u.error
                    );
                    (u.region.clone(), why)
                })
                .collect(),
            report_only_region: outside_regions(trigger, &self.settings),
            untrusted: None,
            unsettled: gathered
                .as_ref()
                .and_then(|g| g.unsettled.as_ref())
                .map(|u| (u.region.clone(), u.error.clone()))
                .into_iter()
                .collect(),
        };
        let inventory = gathered.as_ref().map(|g| &g.inventory);
        let mut evaluation = evaluate_trigger_with(trigger, inventory, policy, now, restraints);
        let (organization_id, unknown) = match gathered {
            Some(gathered) => {
                evaluation.notes.extend(gathered.notes);
                // Not yet listed counts as not seen: the notice names it with the rest.
                let unknown = gathered.unknown.map(|(account, mut unreachable, listed)| {
                    unreachable.extend(gathered.unsettled);
                    (account, unreachable, listed)
                });
                (gathered.organization_id, unknown)
            }
            None => (None, None),
        };
        for note in &evaluation.notes {
            tracing::info!(note = %note, "evaluation note");
        }
        let mut findings = Vec::with_capacity(evaluation.judged.len());
        for judged in &evaluation.judged {
            troubles.held_back(judged, policy);
            findings.push(remediator.act(judged, &mut troubles).await);
        }
        // A withheld finding is not published: an earlier delivery's word may be the true one.
        for (finding, judged) in findings.iter_mut().zip(&evaluation.judged) {
            if judged.decision.verdict == Verdict::Withheld {
                continue;
            }
            troubles.published(remediator.publish_finding(finding).await);
        }
        findings = findings
            .into_iter()
            .zip(&evaluation.judged)
            .filter(|(_, judged)| judged.decision.verdict != Verdict::Withheld)
            .map(|(finding, _)| finding)
            .collect();
        // What the look at the account came to, when the findings alone would not say it: an
        // all-clear only when no finding names an instance.
        let found_none = !findings.iter().any(|f| f.instance_arn.is_some());
        let notice = match (unknown, trigger.meta().map(event_ref)) {
            (Some((account, unreachable, listed)), Some(trigger_ref))
                if !unreachable.is_empty() =>
            {
                let regions: Vec<&str> = unreachable.iter().map(|u| u.region.as_str()).collect();
                troubles.incomplete.push(format!(
                    "the instances of {account} could not be listed in {}",
                    regions.join(", ")
                ));
                Some(IncompleteNotice::new(
                    &trigger_ref,
                    &account,
                    organization_id.as_deref(),
                    hidden_severity(trigger),
                    listed,
                    unreachable,
                    now,
                ))
            }
            (Some((account, _, listed)), Some(trigger_ref))
                if found_none && is_org_event(trigger) =>
            {
                Some(IncompleteNotice::all_clear(
                    &trigger_ref,
                    &account,
                    organization_id.as_deref(),
                    listed,
                    now,
                ))
            }
            _ => None,
        };
        if let Some(mut notice) = notice {
            troubles.published(remediator.publish_notice(&mut notice).await);
        }
        let error = match (troubles.into_error(), gather_error) {
            (Some(publish @ HandleError::Publish { .. }), _) => Some(publish),
            (_, Some(gather)) => Some(HandleError::Gather(gather)),
            (other, None) => other,
        };
        if let Some(error) = error {
            return Err(error);
        }
        Ok(EventReport {
            findings,
            notes: evaluation.notes,
        })
    }

    /// Collects what the rules need for this trigger: the organization and its Identity Center
    /// delegated administrators, and — at the same time — the instances of the account
    /// concerned in the Regions that matter, then their applications and tags.
    async fn gather(&self, trigger: &Trigger, budget: Budget) -> Result<Gathered, OrgFactsError> {
        let (account, regions, expected): (&str, Vec<String>, Option<&str>) = match trigger {
            Trigger::InstanceCreated(t) if t.error.is_none() => (
                &t.account_id,
                vec![t.region.clone()],
                t.instance_arn.as_deref(),
            ),
            Trigger::DelegatedAdminRegistered(t) => {
                (&t.account_id, self.settings.regions.clone(), None)
            }
            Trigger::AccountJoined(t) => (&t.account_id, self.settings.regions.clone(), None),
            _ => {
                return Ok(Gathered {
                    inventory: self.organization_facts(budget).await?,
                    organization_id: None,
                    notes: vec![],
                    unknown: None,
                    unsettled: None,
                })
            }
        };
        // Independent: ask Organizations while the member's instances are listed.
        let (organization, listing) = futures_util::join!(
            self.organization_facts(budget),
            facts::list_account(
                &self.instances,
                &self.clock,
                budget,
                account,
                &regions,
                expected,
                self.settings.sweep_concurrency,
            )
        );
        let mut inventory = organization?;
        let forwarded = self
            .settings
            .own_account_id
            .as_deref()
            .is_some_and(|own| own != account);
        if inventory.organization.is_none() && (is_org_event(trigger) || forwarded) {
            // The event itself proves the organization (an Organizations event, or one another
            // account put on the central bus, which only the organization's accounts may): an
            // answer that there is none is a glitch to retry, never IDC003 or an all-clear.
            return Err(OrgFactsError::Port(PortError::new(
                PortErrorKind::Other,
                "DescribeOrganization",
                format!(
                    "answered that the guardrail's account is in no organization, but the event \
                     (of account {account}) comes from its organization"
                ),
            )));
        }
        if inventory.management_account_id() == Some(account) {
            // Its instance is the organization instance: never a finding, never listed.
            return Ok(Gathered {
                inventory,
                organization_id: None,
                notes: vec![],
                unknown: None,
                unsettled: None,
            });
        }
        let created = match trigger {
            Trigger::InstanceCreated(t) => Some(t.meta.event_time),
            _ => None,
        };
        let mut listing = listing;
        let unsettled = created.and_then(|created| {
            listing.unsettled_absence(account, expected, created, self.clock.now())
        });
        let mut notes: Vec<String> = listing
            .unknown
            .iter()
            .map(|u| {
                format!(
                    "could not list the instances of {} in {}: {}",
                    u.account_id, u.region, u.error
                )
            })
            .collect();
        let listed_regions: Vec<String> = listing.listed.iter().map(|l| l.region.clone()).collect();
        let unknown = listing.into_inventory(&mut inventory);
        notes.extend(
            facts::enrich(
                &self.instances,
                &self.clock,
                budget,
                &mut inventory,
                self.settings.sweep_concurrency,
            )
            .await,
        );
        Ok(Gathered {
            organization_id: inventory.organization_id().map(str::to_owned),
            inventory,
            notes,
            unknown: Some((account.to_owned(), unknown, listed_regions)),
            unsettled,
        })
    }
}

/// The event's Region, when it is outside `REGIONS` and such Regions are only reported.
fn outside_regions(trigger: &Trigger, settings: &Settings) -> Option<String> {
    match trigger {
        Trigger::InstanceCreated(t)
            if settings.outside_regions == OutsideRegions::Report
                && !settings.regions.contains(&t.region) =>
        {
            Some(t.region.clone())
        }
        _ => None,
    }
}

/// Organizations events: an account is looked at in every Region, and a complete look that
/// finds nothing says so.
fn is_org_event(trigger: &Trigger) -> bool {
    matches!(
        trigger,
        Trigger::DelegatedAdminRegistered(_) | Trigger::AccountJoined(_)
    )
}

/// The worst finding the Regions not seen could hide.
fn hidden_severity(trigger: &Trigger) -> Severity {
    match trigger {
        Trigger::DelegatedAdminRegistered(_) => crate::catalog::rule_text(RuleId::IDC002).severity,
        _ => crate::catalog::rule_text(RuleId::IDC001).severity,
    }
}
