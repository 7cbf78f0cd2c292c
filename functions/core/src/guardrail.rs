//! The guardrail with its adapters, built once per container, and what every use case shares:
//! the organization's facts and the remediator.

use crate::clock::{Budget, Sequencer};
use crate::facts::{self, OrgFactsError};
use crate::inventory::Inventory;
use crate::ports::{Clock, FindingPublisher, InstancePort, NoQueue, OrganizationPort, TaskQueue};
use crate::remediate::Remediator;
use crate::settings::Settings;

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
