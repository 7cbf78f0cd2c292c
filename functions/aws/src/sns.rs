//! SNS: the finding as the message, with the subject and attributes core computed.

use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sns::Client;
use idc_core::ports::{FindingPublisher, PortError, PortErrorKind};
use idc_core::Message;

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

    pub fn from_config(config: &aws_config::SdkConfig, topic_arn: impl Into<String>) -> Self {
        SnsPublisher::new(Client::new(config), topic_arn)
    }
}

impl FindingPublisher for SnsPublisher {
    async fn publish(&self, message: &Message) -> Result<(), PortError> {
        let mut request = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(&message.subject)
            .message(&message.body);
        for (name, value) in &message.attributes {
            let attribute = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| PortError::new(PortErrorKind::Other, "Publish", e.to_string()))?;
            request = request.message_attributes(*name, attribute);
        }
        request.send().await.map_err(|e| port_error("Publish", e))?;
        tracing::info!(message_id = %message.id, topic_arn = %self.topic_arn, "published");
        Ok(())
    }
}
