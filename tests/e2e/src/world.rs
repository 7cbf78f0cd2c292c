//! A real multi-account organization inside the emulator: the management account (which also
//! runs the guardrail here) creates the organization and its member accounts, Identity Center
//! instances are created *as* the members (STS AssumeRole), and a security-team SQS queue is
//! subscribed to the findings topic.
//!
//! A [`FaultProxy`] stands in front of the emulator. What the guardrail gets — the Lambdas'
//! environment ([`World::lambda_env`]) and the in-process guardrail ([`World::guardrail`]) —
//! goes through it, so a test can inject faults between the guardrail and AWS
//! ([`World::proxy`]). The world's own setup and inspection calls (`create_instance`,
//! `exists`, `findings`, …) go straight to the emulator: injected faults only ever hit the
//! guardrail, and with no rule the proxy is transparent.

use std::collections::BTreeMap;

use anyhow::{anyhow, Context, Result};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_organizations::types::OrganizationFeatureSet;
use aws_sdk_sqs::types::QueueAttributeName;
use aws_sdk_ssoadmin::types::Tag;
use aws_sdk_sts::config::Credentials;
use idc_lambda::{AwsGuardrail, LambdaSettings};
use serde_json::{json, Value};

use crate::emulator::Emulator;
use crate::proxy::FaultProxy;

/// Where the organization instance lives, and the other Region the tests use.
pub const HOME_REGION: &str = "us-east-1";
pub const OTHER_REGION: &str = "eu-west-1";

pub struct World {
    pub emulator: Emulator,
    /// The guardrail's own credentials: the management account's.
    pub sdk: SdkConfig,
    pub management: String,
    pub organization_id: String,
    pub org_instance_arn: String,
    pub topic_arn: String,
    pub queue_url: String,
    /// The outlets queue: the findings topic's findings, raw (as the templates subscribe it).
    pub outlets_queue_url: String,
    /// Between the guardrail and the emulator.
    proxy: FaultProxy,
    /// The guardrail's SDK configuration: `sdk`'s credentials, through the proxy.
    guardrail_sdk: SdkConfig,
}

/// A finding as the security team's queue received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub subject: String,
    pub attributes: BTreeMap<String, String>,
    pub finding: Value,
}

impl Received {
    pub fn status(&self) -> &str {
        self.finding["remediation"]["status"]
            .as_str()
            .unwrap_or_default()
    }
    pub fn rule(&self) -> &str {
        self.finding["rule"].as_str().unwrap_or_default()
    }
    pub fn id(&self) -> &str {
        self.finding["id"].as_str().unwrap_or_default()
    }
    pub fn sequence(&self) -> u64 {
        self.finding["sequence"].as_u64().unwrap_or_default()
    }
    pub fn message_type(&self) -> &str {
        self.attributes
            .get("message_type")
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// A message as the security team's queue holds it: the SNS envelope around the finding.
    pub fn from_envelope(body: &str) -> Result<Received> {
        let envelope: Value = serde_json::from_str(body).context("SNS envelope is not JSON")?;
        let finding: Value = serde_json::from_str(envelope["Message"].as_str().unwrap_or_default())
            .context("finding is not JSON")?;
        let attributes = envelope["MessageAttributes"]
            .as_object()
            .map(|attrs| {
                attrs
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v["Value"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Received {
            subject: envelope["Subject"].as_str().unwrap_or_default().to_owned(),
            attributes,
            finding,
        })
    }
}

/// For each finding id, the message with the highest `sequence` (the finding contract's
/// "latest word"), in the order the ids first appeared.
pub fn latest_words(messages: Vec<Received>) -> Vec<Received> {
    let mut latest: Vec<Received> = Vec::new();
    for message in messages {
        match latest.iter_mut().find(|m| m.id() == message.id()) {
            Some(known) if known.sequence() < message.sequence() => *known = message,
            Some(_) => {}
            None => latest.push(message),
        }
    }
    latest
}

async fn sdk_config(url: &str, credentials: Credentials, region: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(url)
        .region(Region::new(region.to_owned()))
        .credentials_provider(credentials)
        .load()
        .await
}

impl World {
    /// Starts an emulator and builds the organization, its instance, the topic and the queue.
    pub async fn start() -> Result<World> {
        let emulator = Emulator::start()?;
        let proxy = FaultProxy::start(&emulator.url).context("starting the fault proxy")?;
        let credentials =
            Credentials::new("AKIAIDCGUARDRAILTEST", "testing", None, None, "idc-e2e");
        let sdk = sdk_config(&emulator.url, credentials.clone(), HOME_REGION).await;
        let guardrail_sdk = sdk_config(proxy.url(), credentials, HOME_REGION).await;
        let orgs = aws_sdk_organizations::Client::new(&sdk);
        let org = orgs
            .create_organization()
            .feature_set(OrganizationFeatureSet::All)
            .send()
            .await
            .context("CreateOrganization")?
            .organization
            .ok_or_else(|| anyhow!("CreateOrganization returned no organization"))?;
        let management = org
            .master_account_id
            .ok_or_else(|| anyhow!("no management account"))?;
        let organization_id = org.id.ok_or_else(|| anyhow!("no organization id"))?;
        // AWS has no API that creates the organization instance: the emulator seeds it.
        let seeded = emulator.post(
            "/idc-guardrail/seed-org-instance",
            &json!({"account_id": management, "region": HOME_REGION}),
        )?;
        let org_instance_arn = seeded["InstanceArn"]
            .as_str()
            .ok_or_else(|| anyhow!("seed: {seeded}"))?
            .to_owned();

        let (topic_arn, queue_url) =
            topic_to_queue(&sdk, "idc-guardrail-findings", "security-team", false).await?;
        let (_, outlets_queue_url) = subscribed_queue(
            &sdk,
            "idc-guardrail-findings",
            "idc-guardrail-outlets",
            true,
            Some(OUTLETS_FILTER),
        )
        .await?;
        // Security Hub answers only an account that enabled it, as in AWS: the guardrail's own.
        aws_sdk_securityhub::Client::new(&sdk)
            .enable_security_hub()
            .send()
            .await
            .context("EnableSecurityHub")?;
        Ok(World {
            emulator,
            sdk,
            management,
            organization_id,
            org_instance_arn,
            topic_arn,
            queue_url,
            outlets_queue_url,
            proxy,
            guardrail_sdk,
        })
    }

    /// The fault proxy between the guardrail and the emulator.
    pub fn proxy(&self) -> &FaultProxy {
        &self.proxy
    }

    /// The management account's SDK configuration through the proxy (what the guardrail uses).
    pub fn guardrail_sdk(&self) -> &SdkConfig {
        &self.guardrail_sdk
    }

    /// Creates a member account in the organization.
    pub async fn create_member(&self, name: &str) -> Result<String> {
        let orgs = aws_sdk_organizations::Client::new(&self.sdk);
        let status = orgs
            .create_account()
            .account_name(name)
            .email(format!("{name}@example.com"))
            .send()
            .await
            .context("CreateAccount")?
            .create_account_status
            .ok_or_else(|| anyhow!("no CreateAccount status"))?;
        status
            .account_id
            .ok_or_else(|| anyhow!("CreateAccount gave no account id"))
    }

    /// The SDK configuration of `account` in `region`, reached by assuming a role from the
    /// management account (the way people act in member accounts).
    pub async fn as_account(&self, account: &str, region: &str) -> Result<SdkConfig> {
        self.assumed(account, region, &self.emulator.url).await
    }

    /// As [`World::as_account`], but its calls go through the proxy (the role is assumed
    /// straight at the emulator, so a fault on `AssumeRole` never hits this setup step).
    pub async fn as_account_via_proxy(&self, account: &str, region: &str) -> Result<SdkConfig> {
        self.assumed(account, region, self.proxy.url()).await
    }

    async fn assumed(&self, account: &str, region: &str, url: &str) -> Result<SdkConfig> {
        let sts = aws_sdk_sts::Client::new(&self.sdk);
        let creds = sts
            .assume_role()
            .role_arn(format!(
                "arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
            ))
            .role_session_name("idc-e2e")
            .send()
            .await
            .context("AssumeRole")?
            .credentials
            .ok_or_else(|| anyhow!("AssumeRole gave no credentials"))?;
        let credentials = Credentials::new(
            creds.access_key_id,
            creds.secret_access_key,
            Some(creds.session_token),
            None,
            "idc-e2e-member",
        );
        Ok(sdk_config(url, credentials, region).await)
    }

    /// `CreateInstance` as the member: an account instance.
    pub async fn create_instance(
        &self,
        account: &str,
        region: &str,
        tags: &[(&str, &str)],
    ) -> Result<String> {
        let sso = aws_sdk_ssoadmin::Client::new(&self.as_account(account, region).await?);
        let mut request = sso.create_instance().name("team-trial");
        for (key, value) in tags {
            request = request.tags(Tag::builder().key(*key).value(*value).build()?);
        }
        let out = request.send().await.context("CreateInstance")?;
        out.instance_arn
            .ok_or_else(|| anyhow!("CreateInstance gave no ARN"))
    }

    /// Binds an application to an instance (what makes it "in use").
    pub async fn create_application(
        &self,
        account: &str,
        region: &str,
        instance_arn: &str,
    ) -> Result<()> {
        let sso = aws_sdk_ssoadmin::Client::new(&self.as_account(account, region).await?);
        sso.create_application()
            .instance_arn(instance_arn)
            .application_provider_arn("arn:aws:sso::aws:applicationProvider/custom")
            .name("quicksight")
            .send()
            .await
            .context("CreateApplication")?;
        Ok(())
    }

    /// `RegisterDelegatedAdministrator` for Identity Center, by the management account.
    pub async fn register_sso_admin(&self, account: &str) -> Result<()> {
        aws_sdk_organizations::Client::new(&self.sdk)
            .register_delegated_administrator()
            .account_id(account)
            .service_principal("sso.amazonaws.com")
            .send()
            .await
            .context("RegisterDelegatedAdministrator")?;
        Ok(())
    }

    /// ARNs of the instances `account` sees in `region`, with their owners.
    pub async fn instances(&self, account: &str, region: &str) -> Result<Vec<(String, String)>> {
        let sso = aws_sdk_ssoadmin::Client::new(&self.as_account(account, region).await?);
        let out = sso.list_instances().send().await.context("ListInstances")?;
        Ok(out
            .instances
            .unwrap_or_default()
            .into_iter()
            .filter_map(|i| Some((i.instance_arn?, i.owner_account_id?)))
            .collect())
    }

    /// True when `account` sees `instance_arn` in `region`.
    pub async fn exists(&self, account: &str, region: &str, instance_arn: &str) -> Result<bool> {
        Ok(self
            .instances(account, region)
            .await?
            .iter()
            .any(|(arn, _)| arn == instance_arn))
    }

    /// Makes the guardrail's member role in `account` unassumable (as if it were missing).
    pub fn remove_member_role(&self, account: &str) -> Result<()> {
        let role_arn = format!(
            "arn:aws:iam::{account}:role/{}",
            idc_core::settings::DEFAULT_MEMBER_ROLE_NAME
        );
        self.emulator.post(
            "/idc-guardrail/deny-assume-role",
            &json!({ "role_arn": role_arn }),
        )?;
        Ok(())
    }

    /// Backdates an instance (the emulator creates them "now").
    pub fn set_created_date(&self, instance_arn: &str, created: &str) -> Result<()> {
        self.emulator.post(
            "/idc-guardrail/instance-created-date",
            &json!({ "instance_arn": instance_arn, "created_date": created }),
        )?;
        Ok(())
    }

    /// A queue in the guardrail's account (the sweep's worker queue).
    pub async fn create_queue(&self, name: &str) -> Result<String> {
        aws_sdk_sqs::Client::new(&self.sdk)
            .create_queue()
            .queue_name(name)
            .send()
            .await
            .context("CreateQueue")?
            .queue_url
            .ok_or_else(|| anyhow!("no queue URL"))
    }

    /// Takes every message of a queue, as Lambda's SQS event source would hand them over.
    pub async fn take_messages(&self, queue_url: &str) -> Result<Vec<(String, String)>> {
        let sqs = aws_sdk_sqs::Client::new(&self.sdk);
        let mut taken = Vec::new();
        loop {
            let out = sqs
                .receive_message()
                .queue_url(queue_url)
                .max_number_of_messages(10)
                .send()
                .await
                .context("ReceiveMessage")?;
            let messages = out.messages.unwrap_or_default();
            if messages.is_empty() {
                return Ok(taken);
            }
            for m in messages {
                if let Some(handle) = &m.receipt_handle {
                    sqs.delete_message()
                        .queue_url(queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await?;
                }
                taken.push((m.message_id.unwrap_or_default(), m.body.unwrap_or_default()));
            }
        }
    }

    /// Settings as the Lambda would read them, for this world; `vars` add or override.
    pub fn settings(&self, vars: &[(&str, &str)]) -> Result<LambdaSettings> {
        let env = self.lambda_env(vars);
        LambdaSettings::from_lookup(|k| {
            env.iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.clone())
        })
        .map_err(|e| anyhow!("{e}"))
    }

    /// The environment a Lambda gets in this world (its AWS endpoint is the proxy).
    pub fn lambda_env(&self, vars: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = vec![
            ("AWS_ENDPOINT_URL".into(), self.proxy.url().to_owned()),
            ("AWS_ACCESS_KEY_ID".into(), "AKIAIDCGUARDRAILTEST".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "testing".into()),
            ("AWS_REGION".into(), HOME_REGION.into()),
            ("TOPIC_ARN".into(), self.topic_arn.clone()),
            ("REGIONS".into(), format!("{HOME_REGION},{OTHER_REGION}")),
            ("RUST_LOG".into(), "info".into()),
        ];
        for (name, value) in vars {
            env.retain(|(n, _)| n != name);
            env.push(((*name).to_owned(), (*value).to_owned()));
        }
        env
    }

    /// Runs the outlets function (with `vars` beside the world's environment) on everything the
    /// outlets queue holds, in batches of 100 as its event source mapping hands them over;
    /// answers the message ids it reported failed. A failed delivery is gone from the queue
    /// here: a test that wants SQS's retry delivers it again itself.
    pub async fn run_outlets(&self, vars: &[(&str, &str)]) -> Result<Vec<String>> {
        let batch = self.take_messages(&self.outlets_queue_url).await?;
        self.run_outlets_on(vars, &batch)
    }

    /// Runs the outlets function on these `(message id, body)` deliveries.
    pub fn run_outlets_on(
        &self,
        vars: &[(&str, &str)],
        deliveries: &[(String, String)],
    ) -> Result<Vec<String>> {
        let outlets = crate::runtime::LambdaFunction::start("outlets", &self.lambda_env(vars))?;
        let mut failed = Vec::new();
        for batch in deliveries.chunks(100) {
            match outlets.invoke(&crate::events::sqs_records(batch))? {
                crate::runtime::Invocation::Ok(response) => failed.extend(
                    response["batchItemFailures"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|f| f["itemIdentifier"].as_str().map(str::to_owned)),
                ),
                crate::runtime::Invocation::Error(error) => {
                    return Err(anyhow!("outlets failed: {error:?}\n{}", outlets.logs()))
                }
            }
        }
        Ok(failed)
    }

    /// The guardrail wired to the emulator through the proxy, in process.
    pub fn guardrail(&self, vars: &[(&str, &str)]) -> Result<AwsGuardrail> {
        Ok(idc_lambda::build(&self.guardrail_sdk, self.settings(vars)?))
    }

    /// Drains the security team's queue: the latest word of every finding published since the
    /// last call, as a subscriber reads them (for each id, the message with the highest
    /// `sequence`), in the order the ids first appeared. See `all_findings` for every message.
    pub async fn findings(&self) -> Result<Vec<Received>> {
        Ok(latest_words(self.all_findings().await?))
    }

    /// Drains the security team's queue: every finding message, announcements (`deleting`)
    /// included, in order of `sequence` (summaries and notices are left out; see `messages`).
    pub async fn all_findings(&self) -> Result<Vec<Received>> {
        let mut findings: Vec<Received> = self
            .messages()
            .await?
            .into_iter()
            .filter(|m| m.attributes.get("message_type").map(String::as_str) == Some("finding"))
            .collect();
        findings.sort_by_key(Received::sequence);
        Ok(findings)
    }

    /// Drains the security team's queue: findings and sweep summaries.
    pub async fn messages(&self) -> Result<Vec<Received>> {
        let sqs = aws_sdk_sqs::Client::new(&self.sdk);
        let mut received = Vec::new();
        loop {
            let out = sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(0)
                .send()
                .await
                .context("ReceiveMessage")?;
            let messages = out.messages.unwrap_or_default();
            if messages.is_empty() {
                return Ok(received);
            }
            for message in messages {
                received.push(Received::from_envelope(
                    message.body.as_deref().unwrap_or_default(),
                )?);
                if let Some(handle) = message.receipt_handle {
                    sqs.delete_message()
                        .queue_url(&self.queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .context("DeleteMessage")?;
                }
            }
        }
    }
}

/// A topic with a new queue subscribed to it: (topic ARN, queue URL). With `raw` the queue
/// receives each message's body as sent, not wrapped in SNS's envelope.
pub(crate) async fn topic_to_queue(
    sdk: &SdkConfig,
    topic: &str,
    queue: &str,
    raw: bool,
) -> Result<(String, String)> {
    subscribed_queue(sdk, topic, queue, raw, None).await
}

/// A queue's ARN, from its URL.
pub async fn queue_arn(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> Result<String> {
    sqs.get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .context("GetQueueAttributes")?
        .attributes
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .ok_or_else(|| anyhow!("no ARN for queue {queue_url}"))
}

/// The outlets queue as the templates subscribe it: raw, findings only.
const OUTLETS_FILTER: &str = r#"{"message_type": ["finding"]}"#;

/// [`topic_to_queue`], with a filter policy on message attributes when one is given.
async fn subscribed_queue(
    sdk: &SdkConfig,
    topic: &str,
    queue: &str,
    raw: bool,
    filter_policy: Option<&str>,
) -> Result<(String, String)> {
    let sns = aws_sdk_sns::Client::new(sdk);
    let topic_arn = sns
        .create_topic()
        .name(topic)
        .send()
        .await
        .context("CreateTopic")?
        .topic_arn
        .ok_or_else(|| anyhow!("no topic ARN"))?;
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let queue_url = sqs
        .create_queue()
        .queue_name(queue)
        .send()
        .await
        .context("CreateQueue")?
        .queue_url
        .ok_or_else(|| anyhow!("no queue URL"))?;
    let queue_arn = queue_arn(&sqs, &queue_url).await?;
    let mut subscribe = sns
        .subscribe()
        .topic_arn(&topic_arn)
        .protocol("sqs")
        .endpoint(queue_arn);
    if raw {
        subscribe = subscribe.attributes("RawMessageDelivery", "true");
    }
    if let Some(policy) = filter_policy {
        subscribe = subscribe.attributes("FilterPolicy", policy);
    }
    subscribe.send().await.context("Subscribe")?;
    Ok((topic_arn, queue_url))
}
