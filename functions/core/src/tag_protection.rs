//! Whether the exemption tag is out of the members' hands: the service control policy named by
//! `EXEMPT_TAG_POLICY_ID`, read from Organizations, must be attached to the root and hold the
//! statement `ProtectIdcGuardrailExemptTag` that the project ships (`infra/scp/`): a Deny of
//! `sso:CreateInstance`, `sso:TagResource` and `sso:UntagResource` whenever the request's
//! `aws:TagKeys` include the key, except to the principals it names — and, beside it, the
//! statement `ProtectIdcGuardrailExemptionsRole` that keeps those principals' roles out of the
//! members' hands (or a member would create such a role and tag as it). Anything less, and the
//! tag exempts nothing.

use serde_json::Value;

use crate::inventory::TagProtection;

/// A service control policy as Organizations describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceControlPolicy {
    /// The policy document, as stored.
    pub content: String,
    /// Attached to the root: in force in every account but the management account.
    pub attached_to_root: bool,
}

/// The `Sid` of the statement that protects the exemption tag.
pub const STATEMENT_SID: &str = "ProtectIdcGuardrailExemptTag";
/// The `Sid` of the statement that protects the roles allowed to set the tag.
pub const ROLE_STATEMENT_SID: &str = "ProtectIdcGuardrailExemptionsRole";
const PROTECTED_ACTIONS: [&str; 3] = ["sso:createinstance", "sso:tagresource", "sso:untagresource"];
/// What a member would do to become a principal allowed to set the tag.
const ROLE_ACTIONS: [&str; 5] = [
    "iam:createrole",
    "iam:updateassumerolepolicy",
    "iam:attachrolepolicy",
    "iam:putrolepolicy",
    "iam:putrolepermissionsboundary",
];

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
    let tag = deny_statement(&document, STATEMENT_SID, &PROTECTED_ACTIONS, "sso:*")?;
    if strings(tag.get("Resource")).all(|r| r != "*") {
        return Err(format!(
            "`{STATEMENT_SID}` does not apply to every resource"
        ));
    }
    let keys = tag
        .get("Condition")
        .and_then(|c| c.get("ForAnyValue:StringEquals"))
        .and_then(|c| c.get("aws:TagKeys"));
    if !strings(keys).any(|k| k == key) {
        return Err(format!(
            "`{STATEMENT_SID}` does not deny requests whose aws:TagKeys include `{key}` (ForAnyValue:StringEquals)"
        ));
    }
    // Whoever may still set the tag must not be a role a member can make or take over.
    let roles = deny_statement(&document, ROLE_STATEMENT_SID, &ROLE_ACTIONS, "iam:*")?;
    let protected: Vec<&str> = strings(roles.get("Resource")).collect();
    // Both the roles that may set the tag and the roles that may manage those roles (or a
    // member would create one of the latter, then one of the former).
    let allowed = exempted(tag).into_iter().chain(exempted(roles));
    if let Some(open) = allowed.into_iter().find(|p| !protected.contains(p)) {
        return Err(format!(
            "`{ROLE_STATEMENT_SID}` does not protect `{open}`, which may set the tag"
        ));
    }
    Ok(())
}

/// The principals a statement exempts (`ArnNotLike` / `ArnNotEquals` on `aws:PrincipalArn`).
fn exempted(statement: &Value) -> Vec<&str> {
    let condition = statement.get("Condition");
    ["ArnNotLike", "ArnNotEquals"]
        .iter()
        .flat_map(|op| {
            strings(
                condition
                    .and_then(|c| c.get(*op))
                    .and_then(|o| o.get("aws:PrincipalArn")),
            )
        })
        .collect()
}

/// The statement `sid`, if it is a Deny of every one of `actions` (or of `wildcard`).
fn deny_statement<'a>(
    document: &'a Value,
    sid: &str,
    actions: &[&str],
    wildcard: &str,
) -> Result<&'a Value, String> {
    let statements: Vec<&Value> = match document.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => vec![],
    };
    let statement = statements
        .into_iter()
        .find(|s| s.get("Sid").and_then(Value::as_str) == Some(sid))
        .ok_or_else(|| format!("has no statement `{sid}`"))?;
    if statement.get("Effect").and_then(Value::as_str) != Some("Deny") {
        return Err(format!("`{sid}` is not a Deny"));
    }
    let listed: Vec<String> = strings(statement.get("Action"))
        .map(str::to_ascii_lowercase)
        .collect();
    let covered = |action: &str| {
        listed
            .iter()
            .any(|a| a == action || a == wildcard || a == "*")
    };
    match actions.iter().find(|a| !covered(a)) {
        Some(missing) => Err(format!("`{sid}` does not deny {missing}")),
        None => Ok(statement),
    }
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
      "ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::*:role/IdcGuardrailExemptions"]}}},
      {"Sid":"ProtectIdcGuardrailExemptionsRole","Effect":"Deny","Action":["iam:CreateRole",
      "iam:UpdateAssumeRolePolicy","iam:AttachRolePolicy","iam:PutRolePolicy",
      "iam:PutRolePermissionsBoundary","iam:DeleteRole"],
      "Resource":["arn:aws:iam::*:role/IdcGuardrailExemptions","arn:aws:iam::*:role/stacksets-exec-*"],
      "Condition":{"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::*:role/stacksets-exec-*"]}}}]}"#;

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
            // Without its role protected, a member creates the allowed role and tags as it.
            (
                policy(&SHIPPED.replace("ExemptionsRole", "Other"), true),
                "idc-trial",
                "no statement `ProtectIdcGuardrailExemptionsRole`",
            ),
            (
                policy(
                    &SHIPPED.replace("\"iam:UpdateAssumeRolePolicy\",", ""),
                    true,
                ),
                "idc-trial",
                "iam:updateassumerolepolicy",
            ),
            (
                policy(
                    &SHIPPED.replace(
                        "\"Resource\":[\"arn:aws:iam::*:role/IdcGuardrailExemptions\",",
                        "\"Resource\":[\"arn:aws:iam::*:role/Other\",",
                    ),
                    true,
                ),
                "idc-trial",
                "does not protect `arn:aws:iam::*:role/IdcGuardrailExemptions`",
            ),
            // A deployer the statement exempts but does not protect: a member creates it first.
            (
                policy(
                    &SHIPPED.replace(",\"arn:aws:iam::*:role/stacksets-exec-*\"]", "]"),
                    true,
                ),
                "idc-trial",
                "does not protect `arn:aws:iam::*:role/stacksets-exec-*`",
            ),
        ];
        for (p, key, why) in cases {
            let protection = tag_protection("p-1", &p, key);
            assert!(protection.protected_keys.is_empty(), "{why}");
            let note = protection.note.unwrap_or_default();
            assert!(note.contains(why), "{why}: {note}");
        }
    }

    /// The file the project ships, with its placeholder key, passes the same check.
    #[test]
    fn the_shipped_file_protects_its_placeholder_key() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../infra/scp/protect-exempt-tag.json"
        );
        let shipped = std::fs::read_to_string(path).unwrap_or_default();
        let p = tag_protection("p-1", &policy(&shipped, true), "idc-guardrail-exempt");
        assert_eq!(p.note, None);
        assert_eq!(p.protected_keys, vec!["idc-guardrail-exempt".to_owned()]);
    }
}
