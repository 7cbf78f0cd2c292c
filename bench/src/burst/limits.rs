//! The throttling the burst meets: AWS's published rates, put on the wire by the fault proxy in
//! front of the emulator (which throttles nothing itself). Each limit answers what AWS answers
//! beyond it, and the SDK retries that as throttling.

use idc_e2e::proxy::{Fault, FaultProxy, Rate, Rule};

/// One throttled operation (or service), as the report states it.
pub struct Limit {
    /// The service as it signs (`securityhub`, `sso`).
    pub service: &'static str,
    /// One operation, or every operation of the service (`None`).
    pub operation: Option<&'static str>,
    pub rate: Rate,
    pub status: u16,
    pub code: &'static str,
    /// Where the figure comes from.
    pub source: &'static str,
}

/// Security Hub's throttle answer: HTTP 429 `TooManyRequestsException` (the API model declares
/// `LimitExceededException`, also 429, for these operations; the SDK retries both alike).
const HUB_STATUS: u16 = 429;
const HUB_CODE: &str = "TooManyRequestsException";
const HUB_SOURCE: &str = "Security Hub API reference, throttling limits (per account and Region)";

pub const LIMITS: [Limit; 4] = [
    Limit {
        service: "securityhub",
        operation: Some("BatchImportFindings"),
        rate: Rate {
            per_second: 10,
            burst: 30,
        },
        status: HUB_STATUS,
        code: HUB_CODE,
        source: HUB_SOURCE,
    },
    Limit {
        service: "securityhub",
        operation: Some("BatchUpdateFindings"),
        rate: Rate {
            per_second: 10,
            burst: 30,
        },
        status: HUB_STATUS,
        code: HUB_CODE,
        source: HUB_SOURCE,
    },
    Limit {
        service: "securityhub",
        operation: Some("GetFindings"),
        rate: Rate {
            per_second: 3,
            burst: 6,
        },
        status: HUB_STATUS,
        code: HUB_CODE,
        source: HUB_SOURCE,
    },
    // IAM Identity Center publishes one collective rate for its APIs and no burst: the bucket
    // holds one second's worth.
    Limit {
        service: "sso",
        operation: None,
        rate: Rate {
            per_second: 20,
            burst: 20,
        },
        status: 400,
        code: "ThrottlingException",
        source: "IAM Identity Center quotas: a collective 20 TPS for its APIs (no burst published: one second's worth here)",
    },
];

/// Puts every limit on the proxy, each counted per caller (the access key that signed the
/// request: the management account for Security Hub, one member role session per member
/// account for sso-admin) and Region.
pub fn install(proxy: &FaultProxy) {
    for limit in &LIMITS {
        let rule = match limit.operation {
            Some(operation) => Rule::on(operation),
            None => Rule::any(),
        };
        proxy.inject(
            rule.service(limit.service)
                .beyond_rate(limit.rate)
                .fault(Fault::Error {
                    status: limit.status,
                    code: limit.code.to_owned(),
                }),
        );
    }
}
