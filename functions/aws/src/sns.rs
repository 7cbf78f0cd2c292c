//! SNS: the finding as the message, with the subject and attributes core computed.

use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sns::Client;
use idc_core::ports::{FindingPublisher, PortError, PortErrorKind};
use idc_core::Finding;

use crate::errors::port_error;

pub struct SnsPublisher {
    client: Client,
    topic_arn: String,
}

impl SnsPublisher {
    pub fn new(client: Client, topic_arn: impl Into<String>) -> Self {
        SnsPublisher {
            client,
            topic_arn: topic_arn.into(),
        }
    }
}

impl FindingPublisher for SnsPublisher {
    async fn publish(&self, finding: &Finding) -> Result<(), PortError> {
        let mut request = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(finding.sns_subject())
            .message(finding.to_json());
        for (name, value) in finding.sns_attributes() {
            let attribute = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| PortError::new(PortErrorKind::Other, "Publish", e.to_string()))?;
            request = request.message_attributes(name, attribute);
        }
        request.send().await.map_err(|e| port_error("Publish", e))?;
        tracing::info!(finding_id = %finding.id, topic_arn = %self.topic_arn, "finding published");
        Ok(())
    }
}
