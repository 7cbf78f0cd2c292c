//! `CreateInstance`: its outcome and what it proves.

use serde_json::json;

use super::*;
use crate::event::sso::is_instance_arn;
use crate::event::*;

#[test]
fn create_instance_success_names_account_region_and_arn() {
    let Ok(Trigger::InstanceCreated(t)) = parse(create_instance(json!({}))) else {
        panic!("expected InstanceCreated");
    };
    assert_eq!(t.account_id, "222222222222");
    assert_eq!(t.region, "eu-west-1");
    assert_eq!(
        t.instance_arn.as_deref(),
        Some("arn:aws:sso:::instance/ssoins-1111222233334444")
    );
    assert_eq!(t.error, None);
    assert_eq!(
        t.meta.principal_arn.as_deref(),
        Some("arn:aws:sts::222222222222:assumed-role/Dev/alice")
    );
}

#[test]
fn failed_create_instance_carries_error_code_and_no_arn() {
    let v = create_instance(json!({
        "errorCode": "AccessDenied",
        "errorMessage": "explicit deny in a service control policy",
        "responseElements": null
    }));
    let Ok(Trigger::InstanceCreated(t)) = parse(v) else {
        panic!("expected InstanceCreated");
    };
    assert_eq!(t.instance_arn, None);
    assert_eq!(t.error.map(|e| e.code), Some("AccessDenied".to_owned()));
}

#[test]
fn a_success_with_an_arn_proves_the_instance() {
    let t = created(create_instance(json!({"errorCode": null})));
    assert_eq!(t.proof(), CreateProof::Created);
    assert!(t.proves_instance());
}

#[test]
fn no_error_and_no_arn_is_unclear_and_proves_nothing() {
    let cases = [
        json!({"errorCode": null, "responseElements": null}),
        json!({"responseElements": null}),
        json!({"responseElements": {}}),
        json!({"responseElements": {"instanceArn": null}}),
        json!({"responseElements": {"instanceArn": 42}}),
        json!({"responseElements": {"instanceArn": ""}}),
        json!({"responseElements": {"instanceArn": "ssoins-1111222233334444"}}),
        json!({"responseElements": {"instanceArn": "arn:aws:sso:::instance/"}}),
        json!({"responseElements": {"instanceArn": "arn:aws:iam::222222222222:role/x"}}),
        json!({"responseElements": "instanceArn"}),
    ];
    for extra in cases {
        let t = created(create_instance(extra.clone()));
        assert_eq!(t.proof(), CreateProof::Unclear, "{extra}");
        assert!(!t.proves_instance(), "{extra}");
        assert_eq!(t.instance_arn, None, "{extra}");
        assert_eq!(t.error, None, "{extra}");
    }
    let t = created(without(
        create_instance(json!({})),
        "/detail",
        "responseElements",
    ));
    assert_eq!(t.proof(), CreateProof::Unclear);
}

#[test]
fn an_error_with_an_arn_is_still_a_failure_and_proves_nothing() {
    let t = created(create_instance(json!({"errorCode": "InternalFailure"})));
    assert_eq!(t.proof(), CreateProof::Failed);
    assert_eq!(t.instance_arn, None);
    assert!(!t.proves_instance());
}

#[test]
fn instance_arns_of_every_partition_are_recognised() {
    for arn in [
        "arn:aws:sso:::instance/ssoins-1",
        "arn:aws-us-gov:sso:::instance/ssoins-1",
        "arn:aws-cn:sso:::instance/ssoins-1",
    ] {
        assert!(is_instance_arn(arn), "{arn}");
    }
    for arn in [
        "",
        "arn::sso:::instance/x",
        "arn:aws:sso:::application/x",
        "arn:aws:sso",
        "arn:aws:sso:::",
        "arn:aws:sso:::instance/",
        "arn:aws:sso::instance/x",
        "arn:aws:iam:::instance/x",
        "arm:aws:sso:::instance/x",
    ] {
        assert!(!is_instance_arn(arn), "{arn}");
    }
    // Colons past the fifth belong to the resource.
    assert!(is_instance_arn("arn:aws:sso:::instance/x:y"));
    assert!(is_instance_arn("arn:aws:sso:eu-west-1:1:instance/x"));
}
