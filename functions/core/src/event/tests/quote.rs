//! Messages stay short whatever the input quotes.

use serde_json::json;

use super::*;
use crate::event::*;

#[test]
fn messages_stay_short_whatever_the_input() {
    let huge = "x".repeat(1 << 20);
    let cases = [
        with(
            create_instance(json!({})),
            "/detail-type",
            json!(["a", huge.clone()]),
        ),
        with(create_instance(json!({})), "/detail/eventName", json!(7)),
        create_instance(json!({"eventTime": huge.clone()})),
        create_instance(json!({"recipientAccountId": huge.clone()})),
        create_instance(json!({"eventName": huge.clone()})),
        create_instance(
            json!({"recipientAccountId": null, "userIdentity": {"accountId": huge.clone()}}),
        ),
        register(&huge, json!({})),
    ];
    for v in cases {
        let text = match parse(v) {
            Ok(Trigger::Ignored(i)) => i.reason,
            Ok(other) => panic!("expected an error or Ignored, got {}", other.kind()),
            Err(e) => e.to_string(),
        };
        assert!(
            text.len() < 600 && !text.contains('\n'),
            "{} bytes",
            text.len()
        );
    }
    let bytes = format!("{{\"a\": \"{huge}");
    let err = parse_event_bytes(bytes.as_bytes())
        .err()
        .map(|e| e.to_string());
    assert!(err.is_some_and(|e| e.len() < 600));
}
