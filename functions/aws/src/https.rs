//! The one HTTPS client every AWS client of the process shares, built so that the cold start
//! does not wait for the system's root certificates.
//!
//! The SDK's default client loads and parses the system's root certificates when each service
//! client is created (`validate_base_client_config` builds a throwaway connector so that they
//! are loaded "at client initialization time"): on a Lambda cold start that is a few
//! milliseconds before the function can ask for its first event, paid again for every client.
//! Here the certificates are loaded once, on a thread of their own started with the client,
//! while the cold start goes on; the first request (the first event's) builds the connector it
//! needs from them, once for every client, since they all share this one. The connector itself
//! is the SDK's default (rustls with aws-lc, the proxy settings of the environment), so
//! requests and TLS are exactly what the default client does.

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_runtime_api::shared::IntoShared;
use aws_smithy_types::config_bag::ConfigBag;

/// The shared client; starts loading the root certificates in the background.
pub fn https_client() -> SharedHttpClient {
    let inner = Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    });
    let warm = inner.clone();
    // Loading the certificates is what the SDK's own validation does; done here, off the cold
    // start's path. Should the thread not start, the first request loads them instead.
    let _ = std::thread::Builder::new()
        .name("root-certificates".into())
        .spawn(move || {
            let _ = warm.validate_base_client_config(
                &RuntimeComponentsBuilder::new("root-certificates"),
                &ConfigBag::base(),
            );
        });
    DeferredRoots { inner }.into_shared()
}

/// The SDK's client, without its eager validation: creating a service client costs nothing.
#[derive(Debug)]
struct DeferredRoots {
    inner: SharedHttpClient,
}

impl HttpClient for DeferredRoots {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.inner.http_connector(settings, components)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}
