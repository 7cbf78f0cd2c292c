use idc_core::{Guardrail, Policy};

use crate::sample::settings;
use crate::{FakeClock, Instances, Org, Publisher, Queue};

/// A guardrail over the fakes, in virtual time.
pub type Fake = Guardrail<Org, Instances, Publisher, FakeClock, Queue>;

/// The sample organization, these instances and publisher, `policy`, and a worker queue.
pub fn guardrail(instances: Instances, publisher: Publisher, policy: Policy) -> Fake {
    Guardrail::new(
        Org::default(),
        instances,
        publisher,
        FakeClock::default(),
        settings(policy),
    )
    .with_queue(Some(Queue::default()))
}
