//! A REST-JSON call to an AWS service, made by the SDK's own runtime — SigV4 signing with the
//! process's credentials, the service's endpoint rules, standard retries, timeouts, the one
//! shared HTTPS client — but without the service's model: the body is JSON the domain has
//! already built, the answer is handed back as bytes.
//!
//! Why: the Security Hub SDK's `BatchImportFindings` serialiser covers the whole ASFF model
//! (hundreds of resource types) and added about 1.6 MB to every function, while the finding
//! the guardrail sends is one small, fixed shape (`idc_core::asff`). Everything that makes an
//! SDK call trustworthy on a flaky network is kept: this is the generated client's runtime
//! plugin, minus its serialiser.

use std::borrow::Cow;
use std::fmt;

use aws_config::SdkConfig;
use aws_runtime::auth::sigv4::{SigV4AuthScheme, SCHEME_ID};
use aws_runtime::auth::SigV4OperationSigningConfig;
use aws_runtime::invocation_id::InvocationIdInterceptor;
use aws_runtime::recursion_detection::RecursionDetectionInterceptor;
use aws_runtime::request_info::RequestInfoInterceptor;
use aws_runtime::retries::classifiers::AwsErrorCodeClassifier;
use aws_runtime::service_clock_skew::{ServiceClockSkewClassifier, ServiceClockSkewInterceptor};
use aws_runtime::user_agent::{ApiMetadata, UserAgentInterceptor};
use aws_smithy_runtime::client::identity::IdentityCache;
use aws_smithy_runtime::client::orchestrator::operation::Operation;
use aws_smithy_runtime::client::retries::classifiers::{
    HttpStatusCodeClassifier, TransientErrorClassifier,
};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::auth::static_resolver::StaticAuthSchemeOptionResolver;
use aws_smithy_runtime_api::client::auth::{
    AuthSchemeOptionResolverParams, SharedAuthScheme, SharedAuthSchemeOptionResolver,
};
use aws_smithy_runtime_api::client::endpoint::{EndpointResolverParams, SharedEndpointResolver};
use aws_smithy_runtime_api::client::identity::SharedIdentityResolver;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, OrchestratorError};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponentsBuilder;
use aws_smithy_runtime_api::client::runtime_plugin::RuntimePlugin;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::{FrozenLayer, Layer};
use aws_smithy_types::error::metadata::{ErrorMetadata, ProvideErrorMetadata};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::region::SigningRegion;
use aws_types::SigningName;

/// The service a call goes to: what the endpoint rules and the signature need to know.
pub struct Service<P> {
    /// The SDK's service id (`SecurityHub`): names the retry partition and the user agent.
    pub id: &'static str,
    /// The SigV4 signing name (`securityhub`).
    pub signing_name: &'static str,
    /// The service's endpoint rules, and their parameters for this configuration.
    pub endpoint: SharedEndpointResolver,
    pub endpoint_params: P,
}

/// One operation of a REST-JSON service: a method and a path; the body is the caller's.
pub struct JsonOperation {
    operation: Operation<Vec<u8>, Vec<u8>, ServiceError>,
}

impl fmt::Debug for JsonOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonOperation").finish_non_exhaustive()
    }
}

impl JsonOperation {
    pub fn new<P: fmt::Debug + Clone + Send + Sync + 'static>(
        config: &SdkConfig,
        service: &Service<P>,
        name: &'static str,
        method: &'static str,
        path: &'static str,
    ) -> Self {
        let mut builder = Operation::builder()
            .service_name(service.id)
            .operation_name(name)
            .standard_retry(config.retry_config().unwrap_or(&RetryConfig::standard()))
            .timeout_config(
                config
                    .timeout_config()
                    .cloned()
                    .unwrap_or_else(TimeoutConfig::disabled),
            )
            .with_connection_poisoning()
            .runtime_plugin(SignedJsonPlugin::new(config, service, name))
            .serializer(move |body: Vec<u8>| request(method, path, body))
            .deserializer(answer);
        if let Some(client) = config.http_client() {
            builder = builder.http_client(client);
        }
        if let Some(behavior) = config.behavior_version() {
            builder = builder.behavior_version(behavior);
        }
        JsonOperation {
            operation: builder.build(),
        }
    }

    /// Sends `body` (JSON), and gives back the body of a successful answer.
    pub async fn call(
        &self,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, SdkError<ServiceError, HttpResponse>> {
        self.operation.invoke(body).await
    }
}

fn request(method: &str, path: &str, body: Vec<u8>) -> Result<HttpRequest, BoxError> {
    let length = body.len().to_string();
    let mut request = HttpRequest::new(SdkBody::from(body));
    request.set_method(method)?;
    request.set_uri(path)?;
    request
        .headers_mut()
        .insert("content-type", "application/json");
    request.headers_mut().insert("content-length", length);
    Ok(request)
}

fn answer(response: &HttpResponse) -> Result<Vec<u8>, OrchestratorError<ServiceError>> {
    let body = response.body().bytes().unwrap_or_default();
    if response.status().is_success() {
        Ok(body.to_vec())
    } else {
        Err(OrchestratorError::operation(ServiceError::of_response(
            response.status().as_u16(),
            response.headers().get("x-amzn-errortype"),
            body,
        )))
    }
}

/// An error answer of the service, with the code and message AWS returned (what the retry
/// classifiers and [`crate::errors::port_error`] read).
#[derive(Debug)]
pub struct ServiceError {
    status: u16,
    meta: ErrorMetadata,
}

impl ServiceError {
    /// REST-JSON errors: the code in the `X-Amzn-ErrorType` header, else in the body's `code`
    /// or `__type` (either may carry a namespace before `#` or details after `:`).
    fn of_response(status: u16, header: Option<&str>, body: &[u8]) -> ServiceError {
        let document: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let text = |key: &str| document.get(key).and_then(serde_json::Value::as_str);
        let code = header
            .or_else(|| text("code"))
            .or_else(|| text("__type"))
            .map(|code| {
                let code = code.split(':').next().unwrap_or(code);
                code.rsplit('#').next().unwrap_or(code).to_owned()
            });
        let message = text("message").or_else(|| text("Message"));
        let mut meta = ErrorMetadata::builder();
        if let Some(code) = code {
            meta = meta.code(code);
        }
        if let Some(message) = message {
            meta = meta.message(message);
        }
        ServiceError {
            status,
            meta: meta.build(),
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HTTP {}: {}: {}",
            self.status,
            self.meta.code().unwrap_or("Unknown"),
            self.meta.message().unwrap_or_default()
        )
    }
}

impl std::error::Error for ServiceError {}

impl ProvideErrorMetadata for ServiceError {
    fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

/// What the generated client's service and operation plugins set, for a model-less call.
#[derive(Debug)]
struct SignedJsonPlugin {
    config: FrozenLayer,
    components: RuntimeComponentsBuilder,
}

impl SignedJsonPlugin {
    fn new<P: fmt::Debug + Clone + Send + Sync + 'static>(
        sdk: &SdkConfig,
        service: &Service<P>,
        name: &'static str,
    ) -> Self {
        let mut layer = Layer::new(name);
        // The signer reads the Region and the name from here (the endpoint rules may override
        // them; Security Hub's do not).
        layer.store_put(SigV4OperationSigningConfig {
            region: sdk.region().cloned().map(SigningRegion::from),
            name: Some(SigningName::from_static(service.signing_name)),
            ..Default::default()
        });
        layer.store_put(AuthSchemeOptionResolverParams::new(()));
        layer.store_put(EndpointResolverParams::new(service.endpoint_params.clone()));
        layer.store_put(ApiMetadata::new(service.id, env!("CARGO_PKG_VERSION")));

        let mut components = RuntimeComponentsBuilder::new(name)
            .with_endpoint_resolver(Some(service.endpoint.clone()))
            .with_auth_scheme_option_resolver(Some(SharedAuthSchemeOptionResolver::new(
                StaticAuthSchemeOptionResolver::new(vec![SCHEME_ID]),
            )))
            .with_auth_scheme(SharedAuthScheme::new(SigV4AuthScheme::new()))
            .with_identity_cache(Some(
                sdk.identity_cache()
                    .unwrap_or_else(|| IdentityCache::lazy().build()),
            ))
            .with_interceptor(ServiceClockSkewInterceptor::new())
            .with_interceptor(RequestInfoInterceptor::new())
            .with_interceptor(UserAgentInterceptor::new())
            .with_interceptor(InvocationIdInterceptor::new())
            .with_interceptor(RecursionDetectionInterceptor::new())
            .with_retry_classifier(HttpStatusCodeClassifier::default())
            .with_retry_classifier(TransientErrorClassifier::<ServiceError>::new())
            .with_retry_classifier(AwsErrorCodeClassifier::<ServiceError>::new())
            .with_retry_classifier(ServiceClockSkewClassifier::<ServiceError>::new());
        if let Some(credentials) = sdk.credentials_provider() {
            components.set_identity_resolver(SCHEME_ID, SharedIdentityResolver::new(credentials));
        }
        if let Some(sleep) = sdk.sleep_impl() {
            components.set_sleep_impl(Some(sleep));
        }
        if let Some(time) = sdk.time_source() {
            components.set_time_source(Some(time));
        }
        SignedJsonPlugin {
            config: layer.freeze(),
            components,
        }
    }
}

impl RuntimePlugin for SignedJsonPlugin {
    fn config(&self) -> Option<FrozenLayer> {
        Some(self.config.clone())
    }

    fn runtime_components(
        &self,
        _: &RuntimeComponentsBuilder,
    ) -> Cow<'_, RuntimeComponentsBuilder> {
        Cow::Borrowed(&self.components)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_read_from_the_header_or_the_body() {
        let from_header = ServiceError::of_response(
            400,
            Some("InvalidAccessException:http://internal.amazon.com/"),
            br#"{"Message":"not subscribed"}"#,
        );
        assert_eq!(from_header.code(), Some("InvalidAccessException"));
        assert_eq!(from_header.message(), Some("not subscribed"));

        let from_body = ServiceError::of_response(
            429,
            None,
            br#"{"__type":"com.amazonaws.securityhub#LimitExceededException","message":"slow down"}"#,
        );
        assert_eq!(from_body.code(), Some("LimitExceededException"));
        assert_eq!(from_body.message(), Some("slow down"));

        let unreadable = ServiceError::of_response(500, None, b"<html>oops</html>");
        assert_eq!(unreadable.code(), None);
        assert!(unreadable.to_string().contains("HTTP 500"));
    }
}
