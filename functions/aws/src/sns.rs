//! SNS: the finding as the message, with the subject and attributes core computed.

use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sns::Client;
use idc_core::ports::{FindingPublisher, PortError, PortErrorKind};
use idc_core::{Finding, SweepSummary};

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

impl SnsPublisher {
    async fn send(
        &self,
        subject: String,
        message: String,
        attributes: Vec<(&'static str, String)>,
    ) -> Result<(), PortError> {
        let mut request = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(subject)
            .message(message);
        for (name, value) in attributes {
            let attribute = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| PortError::new(PortErrorKind::Other, "Publish", e.to_string()))?;
            request = request.message_attributes(name, attribute);
        }
        request.send().await.map_err(|e| port_error("Publish", e))?;
        Ok(())
    }
}

impl FindingPublisher for SnsPublisher {
    async fn publish(&self, finding: &Finding) -> Result<(), PortError> {
        self.send(
            finding.sns_subject(),
            finding.to_json(),
            finding.sns_attributes(),
        )
        .await?;
        tracing::info!(finding_id = %finding.id, topic_arn = %self.topic_arn, "finding published");
        Ok(())
    }

    async fn publish_summary(&self, summary: &SweepSummary) -> Result<(), PortError> {
        self.send(
            summary.sns_subject(),
            summary.to_json(),
            summary.sns_attributes(),
        )
        .await?;
        tracing::info!(sweep_id = %summary.sweep_id, topic_arn = %self.topic_arn, "sweep summary published");
        Ok(())
    }
}
