//! The triggers' own methods.

use serde_json::json;

use super::*;

#[test]
fn trigger_kinds_are_named() {
    let t = parse(create_instance(json!({})));
    assert_eq!(t.map(|t| t.kind()), Ok("instance_created"));
}
