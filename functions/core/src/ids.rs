//! Small facts about AWS identifiers.

/// The service principal of IAM Identity Center in Organizations.
pub const SSO_SERVICE_PRINCIPAL: &str = "sso.amazonaws.com";

/// The EventBridge `source` of Identity Center events and their CloudTrail `eventSource`.
pub const SSO_SOURCE: (&str, &str) = ("aws.sso", "sso.amazonaws.com");

/// The EventBridge `source` of Organizations events and their CloudTrail `eventSource`.
pub const ORGANIZATIONS_SOURCE: (&str, &str) = ("aws.organizations", "organizations.amazonaws.com");

/// The only EventBridge `detail-type`s of CloudTrail records.
pub const CLOUDTRAIL_DETAIL_TYPES: [&str; 2] = [
    "AWS API Call via CloudTrail",
    "AWS Service Event via CloudTrail",
];

/// The CloudTrail `eventSource` that belongs to an accepted EventBridge `source`, compared
/// exactly (no case folding, no trimming). `None` for every other source, custom ones
/// (`PutEvents` can set any source that does not start with `aws.`) included.
pub fn event_source_of(envelope_source: &str) -> Option<&'static str> {
    [SSO_SOURCE, ORGANIZATIONS_SOURCE]
        .into_iter()
        .find(|(source, _)| *source == envelope_source)
        .map(|(_, event_source)| event_source)
}

/// True for a 12-digit AWS account ID.
pub fn is_account_id(value: &str) -> bool {
    value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())
}

/// The partition of an ARN (`aws`, `aws-us-gov`, `aws-cn`, …), if it is an ARN.
pub fn arn_partition(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    match (parts.next(), parts.next()) {
        (Some("arn"), Some(partition)) if !partition.is_empty() => Some(partition),
        _ => None,
    }
}

/// An Identity Center instance ARN: `arn:<partition>:sso:::instance/<id>`.
/// Six `:`-separated parts, the last one the rest of the ARN (read in place, not collected).
pub fn is_instance_arn(arn: &str) -> bool {
    let mut parts = arn.splitn(6, ':');
    let mut part = || parts.next();
    let (_, _, service, _, _, resource) = (part(), part(), part(), part(), part(), part());
    matches!((service, resource), (Some("sso"), Some(resource))
        if arn_partition(arn).is_some()
            && resource.strip_prefix("instance/").is_some_and(|id| !id.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_twelve_digits() {
        assert!(is_account_id("012345678901"));
        assert!(!is_account_id("01234567890"));
        assert!(!is_account_id("01234567890a"));
    }

    #[test]
    fn only_the_two_aws_sources_have_an_event_source() {
        assert_eq!(event_source_of("aws.sso"), Some("sso.amazonaws.com"));
        assert_eq!(
            event_source_of("aws.organizations"),
            Some("organizations.amazonaws.com")
        );
        for other in [
            "my.app",
            "aws.events",
            "AWS.SSO",
            " aws.sso",
            "aws.sso ",
            "aws.",
            "",
        ] {
            assert_eq!(event_source_of(other), None, "{other:?}");
        }
    }

    #[test]
    fn partitions_are_read_from_arns() {
        assert_eq!(
            arn_partition("arn:aws-cn:sso:::instance/ssoins-1"),
            Some("aws-cn")
        );
        assert_eq!(
            arn_partition("arn:aws-us-gov:iam::1:root"),
            Some("aws-us-gov")
        );
        assert_eq!(arn_partition("ssoins-1"), None);
    }
}
