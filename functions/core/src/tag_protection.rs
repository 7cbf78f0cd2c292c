//! Whether the exemption tag is out of the members' hands: the service control policy named by
//! `EXEMPT_TAG_POLICY_ID`, read from Organizations, must be attached to the root and hold the
//! statement `ProtectIdcGuardrailExemptTag` that the project ships (`infra/scp/`): a Deny of
//! `sso:CreateInstance`, `sso:TagResource` and `sso:UntagResource` whenever the request's
//! `aws:TagKeys` include the key. Anything less, and the tag exempts nothing.

use serde_json::Value;

use crate::inventory::TagProtection;
use crate::ports::ServiceControlPolicy;

/// The `Sid` of the statement that protects the exemption tag.
pub const STATEMENT_SID: &str = "ProtectIdcGuardrailExemptTag";
const PROTECTED_ACTIONS: [&str; 3] = ["sso:createinstance", "sso:tagresource", "sso:untagresource"];

/// What `policy` (with id `policy_id`) protects of `key`.
pub fn tag_protection(policy_id: &str, policy: &ServiceControlPolicy, key: &str) -> TagProtection {
    let unprotected = |why: String| TagProtection {
        protected_keys: vec![],
        note: Some(why),
    };
    if !policy.attached_to_root {
        return unprotected(format!(
            "the service control policy {policy_id} (EXEMPT_TAG_POLICY_ID) is not attached to the organization's root"
        ));
    }
    match protects(&policy.content, key) {
        Ok(()) => TagProtection {
            protected_keys: vec![key.to_owned()],
            note: None,
        },
        Err(why) => unprotected(format!(
            "the service control policy {policy_id} (EXEMPT_TAG_POLICY_ID) {why}"
        )),
    }
}

/// The protection when no policy is named.
pub fn no_policy() -> TagProtection {
    TagProtection {
        protected_keys: vec![],
        note: Some("EXEMPT_TAG_POLICY_ID is not set, so no service control policy keeps the tag from the member".into()),
    }
}

fn protects(content: &str, key: &str) -> Result<(), String> {
    let document: Value =
        serde_json::from_str(content).map_err(|e| format!("is not JSON ({e})"))?;
    let statements = match document.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => vec![],
    };
    let statement = statements
        .into_iter()
        .find(|s| s.get("Sid").and_then(Value::as_str) == Some(STATEMENT_SID))
        .ok_or_else(|| format!("has no statement `{STATEMENT_SID}`"))?;
    if statement.get("Effect").and_then(Value::as_str) != Some("Deny") {
        return Err(format!("`{STATEMENT_SID}` is not a Deny"));
    }
    let actions: Vec<String> = strings(statement.get("Action"))
        .map(str::to_ascii_lowercase)
        .collect();
    let covered = |action: &str| {
        actions
            .iter()
            .any(|a| a == action || a == "sso:*" || a == "*")
    };
    if let Some(missing) = PROTECTED_ACTIONS.iter().find(|a| !covered(a)) {
        return Err(format!("`{STATEMENT_SID}` does not deny {missing}"));
    }
    if strings(statement.get("Resource")).all(|r| r != "*") {
        return Err(format!(
            "`{STATEMENT_SID}` does not apply to every resource"
        ));
    }
    let keys = statement
        .get("Condition")
        .and_then(|c| c.get("ForAnyValue:StringEquals"))
        .and_then(|c| c.get("aws:TagKeys"));
    if !strings(keys).any(|k| k == key) {
        return Err(format!(
            "`{STATEMENT_SID}` does not deny requests whose aws:TagKeys include `{key}` (ForAnyValue:StringEquals)"
        ));
    }
    Ok(())
}

/// A policy element that is one string or a list of them.
fn strings(value: Option<&Value>) -> impl Iterator<Item = &str> {
    let list: Vec<&str> = match value {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    list.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"ProtectIdcGuardrailExemptTag",
      "Effect":"Deny","Action":["sso:CreateInstance","sso:TagResource","sso:UntagResource"],
      "Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["idc-trial"]},
      "ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/IdcSecurityExemptions"}}}]}"#;

    fn policy(content: &str, root: bool) -> ServiceControlPolicy {
        ServiceControlPolicy {
            content: content.into(),
            attached_to_root: root,
        }
    }

    #[test]
    fn the_shipped_statement_attached_to_the_root_protects_its_key() {
        let p = tag_protection("p-1", &policy(SHIPPED, true), "idc-trial");
        assert_eq!(p.protected_keys, vec!["idc-trial".to_owned()]);
        assert_eq!(p.note, None);
    }

    #[test]
    fn anything_less_protects_nothing_and_says_why() {
        let cases = [
            (policy(SHIPPED, false), "idc-trial", "not attached"),
            (
                policy(SHIPPED, true),
                "other-key",
                "aws:TagKeys include `other-key`",
            ),
            (policy("{", true), "idc-trial", "not JSON"),
            (
                policy(&SHIPPED.replace("ProtectIdc", "Idc"), true),
                "idc-trial",
                "no statement",
            ),
            (
                policy(&SHIPPED.replace("\"Deny\"", "\"Allow\""), true),
                "idc-trial",
                "not a Deny",
            ),
            (
                policy(
                    &SHIPPED.replace("\"sso:UntagResource\"", "\"sso:ListInstances\""),
                    true,
                ),
                "idc-trial",
                "sso:untagresource",
            ),
            (
                policy(
                    &SHIPPED.replace(
                        "\"Resource\":\"*\"",
                        "\"Resource\":\"arn:aws:sso:::instance/x\"",
                    ),
                    true,
                ),
                "idc-trial",
                "every resource",
            ),
            (
                policy(&SHIPPED.replace("ForAnyValue:", "ForAllValues:"), true),
                "idc-trial",
                "ForAnyValue",
            ),
        ];
        for (p, key, why) in cases {
            let protection = tag_protection("p-1", &p, key);
            assert!(protection.protected_keys.is_empty(), "{why}");
            let note = protection.note.unwrap_or_default();
            assert!(note.contains(why), "{why}: {note}");
        }
    }
}
