//! Credentials in member accounts: the member role is assumed in the account that owns an
//! instance, with the central function's own credentials. One provider per account and one
//! client per account and Region, for the life of the container. All the clients share one
//! identity cache, keyed by provider, so an account's role is assumed once (and refreshed
//! before expiry) however many Regions are asked — not once per client.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_config::identity::IdentityCache;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{Region, SdkConfig};
use aws_sdk_ssoadmin::config::{SharedCredentialsProvider, SharedIdentityCache};

pub struct MemberSessions {
    base: SdkConfig,
    role_name: String,
    identity_cache: SharedIdentityCache,
    providers: Mutex<HashMap<String, SharedCredentialsProvider>>,
    clients: Mutex<HashMap<(String, String), aws_sdk_ssoadmin::Client>>,
}

impl MemberSessions {
    pub fn new(base: SdkConfig, role_name: impl Into<String>) -> Self {
        MemberSessions {
            base,
            role_name: role_name.into(),
            identity_cache: IdentityCache::lazy().build(),
            providers: Mutex::new(HashMap::new()),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// An sso-admin client acting as `account_id` in `region`.
    pub async fn ssoadmin(&self, account_id: &str, region: &str) -> aws_sdk_ssoadmin::Client {
        let key = (account_id.to_owned(), region.to_owned());
        if let Some(client) = self.clients.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return client;
        }
        let credentials = self.credentials(account_id, region).await;
        let mut builder = aws_sdk_ssoadmin::config::Builder::from(&self.base);
        // `set_credentials_provider` keeps the provider's identity-cache partition; the
        // `credentials_provider` builder method would wrap it in a new one per client, and the
        // role would be assumed again for every Region.
        builder.set_credentials_provider(Some(credentials));
        let config = builder
            .identity_cache(self.identity_cache.clone())
            .region(Region::new(region.to_owned()))
            .build();
        let client = aws_sdk_ssoadmin::Client::from_conf(config);
        if let Ok(mut clients) = self.clients.lock() {
            clients.insert(key, client.clone());
        }
        client
    }

    /// An EventBridge client acting as `account_id` in `region` (the sweep's coverage check:
    /// one per account and Region per sweep, so not kept).
    pub async fn eventbridge(&self, account_id: &str, region: &str) -> aws_sdk_eventbridge::Client {
        let credentials = self.credentials(account_id, region).await;
        let mut builder = aws_sdk_eventbridge::config::Builder::from(&self.base);
        // As for sso-admin: keep the provider's identity-cache partition.
        builder.set_credentials_provider(Some(credentials));
        let config = builder
            .identity_cache(self.identity_cache.clone())
            .region(Region::new(region.to_owned()))
            .build();
        aws_sdk_eventbridge::Client::from_conf(config)
    }

    /// An SDK configuration acting as `account_id` in `region`, for the clients only the CLI
    /// builds (the migration plan's identity store and QuickSight).
    pub async fn config(&self, account_id: &str, region: &str) -> SdkConfig {
        let credentials = self.credentials(account_id, region).await;
        self.base
            .to_builder()
            .credentials_provider(credentials)
            .identity_cache(self.identity_cache.clone())
            .region(Region::new(region.to_owned()))
            .build()
    }

    async fn credentials(&self, account_id: &str, region: &str) -> SharedCredentialsProvider {
        if let Some(provider) = self
            .providers
            .lock()
            .ok()
            .and_then(|p| p.get(account_id).cloned())
        {
            return provider;
        }
        let role_arn = format!(
            "arn:{}:iam::{account_id}:role/{}",
            partition_of(region),
            self.role_name
        );
        // The provider assumes the role lazily, on first use, and refreshes before expiry.
        let provider = AssumeRoleProvider::builder(role_arn)
            .session_name("idc-guardrail")
            .configure(&self.base)
            .build()
            .await;
        let provider = SharedCredentialsProvider::new(provider);
        if let Ok(mut providers) = self.providers.lock() {
            providers.insert(account_id.to_owned(), provider.clone());
        }
        provider
    }
}

/// The partition of a Region name: IAM ARNs differ in China and GovCloud.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::partition_of;

    #[test]
    fn partitions_follow_region_names() {
        assert_eq!(partition_of("eu-west-1"), "aws");
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
    }
}
