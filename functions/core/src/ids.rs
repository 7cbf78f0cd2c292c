//! Small facts about AWS identifiers.

/// The service principal of IAM Identity Center in Organizations.
pub const SSO_SERVICE_PRINCIPAL: &str = "sso.amazonaws.com";

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
