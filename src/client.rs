//! The client: configuration (base URL, credentials, headers, timeouts, retries, your
//! own `reqwest::Client`) and the entry point to exports. The generated client for every
//! other operation stays reachable through [`Client::api`].

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::auth::{api_url_from_console_url, Credentials, Secret};
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::text::redact_url;

/// An extra header's value.
#[derive(Clone)]
enum Header {
    Plain(String),
    Sensitive(Secret),
}

/// Environment variable holding the API key ([`Client::from_env`]).
pub const ENV_API_KEY: &str = "GALILEO_API_KEY";
/// Environment variable holding the API base URL ([`Client::from_env`]).
pub const ENV_API_URL: &str = "GALILEO_API_URL";
/// Environment variable holding the console URL, from which the API URL is derived when
/// [`ENV_API_URL`] is not set, the way Galileo's SDKs do it: the host's first label
/// `console.` or `app.` becomes `api.` (`console-` becomes `api-`), `https` is enforced;
/// a console on localhost maps to `http://localhost:8088`.
pub const ENV_CONSOLE_URL: &str = "GALILEO_CONSOLE_URL";

/// The user agent sent by default: `galileo-export/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("galileo-export/", env!("CARGO_PKG_VERSION"));

/// What the generated client adds to every request it sends (credentials, extra
/// headers, user agent), and how it follows redirects. Built by [`ClientBuilder::build`];
/// applied by the client's hooks. Its `Debug` shows header names only.
///
/// It exists for the generated code ([`api::Client`](crate::api::Client)'s inner value);
/// you never need to build one.
#[derive(Clone, Default)]
pub struct RequestDefaults {
    headers: HeaderMap,
    /// The base URL, whose origin credentials may be sent to.
    origin: Option<reqwest::Url>,
    /// Whether the crate follows redirects itself (its own `reqwest::Client`, built with
    /// `Policy::none()`), stripping credentials on a cross-origin hop.
    follow_redirects: bool,
}

impl fmt::Debug for RequestDefaults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.headers.keys()).finish()
    }
}

impl RequestDefaults {
    /// Add the default headers a request does not already carry.
    pub(crate) fn apply(&self, request: &mut reqwest::Request) {
        let headers = request.headers_mut();
        for (name, value) in &self.headers {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
    }

    /// The base URL (for its origin).
    pub(crate) fn origin(&self) -> Option<&reqwest::Url> {
        self.origin.as_ref()
    }

    /// Whether redirects are followed by the crate (not by `reqwest`).
    pub(crate) fn follows_redirects(&self) -> bool {
        self.follow_redirects
    }
}

/// Configuration of a [`Client`], in the style of `reqwest::ClientBuilder`.
///
/// ```
/// use std::time::Duration;
/// use galileo_export::{Client, RetryPolicy};
///
/// let client = Client::builder()
///     .base_url("https://api.galileo.example")
///     .api_key("gal-123")
///     .header("X-Team", "data")
///     .connect_timeout(Duration::from_secs(5))
///     .read_timeout(Duration::from_secs(60))
///     .retry(RetryPolicy::default().max_attempts(3))
///     .build()?;
/// assert_eq!(client.base_url(), "https://api.galileo.example");
/// # Ok::<(), galileo_export::Error>(())
/// ```
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    credentials: Option<Credentials>,
    headers: Vec<(String, Header)>,
    user_agent: String,
    connect_timeout: Duration,
    read_timeout: Duration,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    anonymous: bool,
    total_timeout: Option<Duration>,
    low_speed: LowSpeedLimit,
    compression: bool,
}

/// The stall rule of a streaming export, like curl's `--speed-limit`/`--speed-time`: when
/// fewer than `bytes` arrive within `time`, the body is stalled, and that is handled like a
/// cut (an [`Error::Cut`], or a resume with [`ExportBuilder::resume`](crate::ExportBuilder::resume)).
/// It applies from the moment the request is sent: an answer whose status line and
/// headers do not arrive within `time` is a stall too (retried under the
/// [`RetryPolicy`], then an [`Error::Cut`]), whatever the read timeout.
///
/// A server that drips a byte every few seconds never trips a read timeout; this rule
/// catches it. Default: fewer than 1 KiB in 60 s.
///
/// ```
/// use std::time::Duration;
/// use galileo_export::LowSpeedLimit;
///
/// let rule = LowSpeedLimit::new(1024, Duration::from_secs(60));
/// assert_eq!(rule, LowSpeedLimit::default());
/// assert_eq!((rule.bytes(), rule.time()), (1024, Duration::from_secs(60)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LowSpeedLimit {
    bytes: u64,
    time: Duration,
}

impl Default for LowSpeedLimit {
    fn default() -> Self {
        Self::new(1024, Duration::from_secs(60))
    }
}

impl LowSpeedLimit {
    /// Fewer than `bytes` within `time` is a stall. A zero `time` is taken as 1 ms.
    pub fn new(bytes: u64, time: Duration) -> Self {
        Self {
            bytes,
            time: time.max(Duration::from_millis(1)),
        }
    }

    /// The bytes that must arrive within [`time`](Self::time).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The window.
    pub fn time(&self) -> Duration {
        self.time
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url.as_deref().map(redact_url))
            .field("credentials", &self.credentials)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("user_agent", &self.user_agent)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("retry", &self.retry)
            .field("total_timeout", &self.total_timeout)
            .field("low_speed", &self.low_speed)
            .field("compression", &self.compression)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: None,
            credentials: None,
            headers: Vec::new(),
            user_agent: DEFAULT_USER_AGENT.to_string(),
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(120),
            http: None,
            retry: RetryPolicy::default(),
            anonymous: false,
            total_timeout: None,
            low_speed: LowSpeedLimit::default(),
            compression: true,
        }
    }
}

impl ClientBuilder {
    /// The API base URL. Default: the spec's server ([`crate::spec::DEFAULT_BASE_URL`]).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Authenticate with an API key, sent in the header the spec names.
    pub fn api_key(mut self, key: impl Into<Secret>) -> Self {
        self.credentials = Some(Credentials::api_key(key));
        self
    }

    /// Authenticate with a bearer token.
    pub fn bearer_token(mut self, token: impl Into<Secret>) -> Self {
        self.credentials = Some(Credentials::bearer(token));
        self
    }

    /// Authenticate with HTTP basic.
    pub fn basic_auth(mut self, username: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.credentials = Some(Credentials::basic(username, password));
        self
    }

    /// Authenticate with any [`Credentials`].
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Build a client that sends no credentials: for a server that needs none, or to
    /// build requests without sending them (e.g. [`ExportBuilder::to_json`](crate::ExportBuilder::to_json) for a dry
    /// run). Without this, missing credentials are an error of [`build`](Self::build).
    pub fn without_credentials(mut self) -> Self {
        self.anonymous = true;
        self
    }

    /// An extra header sent with every request (checked by [`build`](Self::build)).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers
            .push((name.into(), Header::Plain(value.into())));
        self
    }

    /// An extra header that carries a secret (a proxy token, a tenant key): sent with
    /// every request like [`header`](Self::header), but never shown, and removed on a
    /// redirect to another origin like the credentials.
    pub fn sensitive_header(mut self, name: impl Into<String>, value: impl Into<Secret>) -> Self {
        self.headers
            .push((name.into(), Header::Sensitive(value.into())));
        self
    }

    /// The `User-Agent`. Default: [`DEFAULT_USER_AGENT`].
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// How long to wait for a connection. Default 30 s. Ignored with
    /// [`http_client`](Self::http_client) (configure your client instead).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a read may wait for data, also in the middle of a streaming export (a
    /// stalled body is then reported as a cut). Default 120 s. Ignored with
    /// [`http_client`](Self::http_client).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Send requests with your own `reqwest::Client` (proxies, TLS roots, pools…).
    /// Credentials, extra headers and the user agent are still added to every request.
    ///
    /// Build it with `.redirect(reqwest::redirect::Policy::none())`: this crate then
    /// follows redirects itself and removes the credentials on a hop to another origin.
    /// A client that follows redirects on its own re-sends custom headers such as the API
    /// key to whatever host it is sent to; an answer that came from another origin is then
    /// refused with an [`Error::Config`], but the request has been sent.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Retry policy for failed requests. Default: [`RetryPolicy::default`].
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// A deadline for a whole export, from the first request to the last byte (retries,
    /// resumes and a slow consumer included): past it the export fails with
    /// [`Error::TimedOut`]. Default: none (a large export may take hours; the
    /// [`low_speed_limit`](Self::low_speed_limit) catches a stalled one).
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
        self
    }

    /// The stall rule for streaming bodies. Default: [`LowSpeedLimit::default`] (fewer
    /// than 1 KiB in 60 s is a stall).
    pub fn low_speed_limit(mut self, rule: LowSpeedLimit) -> Self {
        self.low_speed = rule;
        self
    }

    /// Whether an export asks the server for a compressed body (`Accept-Encoding: zstd,
    /// gzip, br`). Default: on. The body is decoded as it arrives, in constant memory;
    /// [`Progress::wire_bytes`](crate::Progress::wire_bytes) and
    /// [`ExportSummary::wire_bytes`](crate::ExportSummary::wire_bytes) tell what crossed
    /// the network, `bytes` what it decoded to. When the link is the limit, an export takes
    /// the time of its wire bytes: in BENCHMARKS.md a zstd export over a 20 MB/s link took
    /// a quarter of the uncompressed one's time (text that compressed 4.2×).
    ///
    /// Off (`Accept-Encoding: identity`) saves the decoding's CPU on a fast link (on
    /// loopback, compressing and decoding on two cores ran at ~180 MB/s of JSON). A server
    /// that compresses anyway is still decoded. A compressed body that ends early is an
    /// [`Error::Cut`] like any other cut; one that does not decode is an
    /// [`Error::Encoding`].
    ///
    /// ```
    /// let client = galileo_export::Client::builder()
    ///     .api_key("key")
    ///     .compression(false)
    ///     .build()?;
    /// assert!(!client.compression());
    /// # Ok::<(), galileo_export::Error>(())
    /// ```
    pub fn compression(mut self, on: bool) -> Self {
        self.compression = on;
        self
    }

    /// Check the configuration and build the client. Missing credentials, an invalid
    /// base URL or header are errors here, not a 401 later.
    pub fn build(self) -> Result<Client, Error> {
        let credentials = match self.credentials {
            Some(credentials) => {
                credentials.check_not_empty()?;
                Some(credentials)
            }
            None if self.anonymous => None,
            None => {
                return Err(Error::Config(format!(
                    "no credentials: set an API key (e.g. the {ENV_API_KEY} environment variable), a bearer token or basic credentials"
                )))
            }
        };
        let base_url = self
            .base_url
            .unwrap_or_else(|| crate::spec::DEFAULT_BASE_URL.to_string());
        let base_url = base_url.trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&base_url).map_err(|e| {
            Error::Config(format!(
                "base URL `{}` is not a valid URL: {e}",
                redact_url(&base_url)
            ))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "base URL `{}` must be http or https",
                redact_url(&base_url)
            )));
        }

        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::Config(format!(
                    "`{}` is not a valid header name",
                    crate::text::sanitize(name, 100)
                ))
            })?;
            let (text, sensitive) = match value {
                Header::Plain(text) => (text.as_str(), false),
                Header::Sensitive(secret) => (secret.expose(), true),
            };
            let mut value = HeaderValue::from_str(text).map_err(|_| {
                Error::Config(format!(
                    "the value of header `{name}` is not a valid header value"
                ))
            })?;
            value.set_sensitive(sensitive);
            headers.append(header, value);
        }
        let ua = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| Error::Config("the user agent is not a valid header value".into()))?;
        headers.insert(USER_AGENT, ua);
        if let Some(credentials) = &credentials {
            credentials.apply(&mut headers)?;
        }

        let follow_redirects = self.http.is_none();
        let http = match self.http {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .read_timeout(self.read_timeout)
                // Redirects are followed by the client's hooks, which strip credentials
                // on a hop to another origin (reqwest keeps custom headers such as the
                // API key).
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| {
                    Error::Config(format!("cannot build the HTTP client: {}", e.without_url()))
                })?,
        };
        let defaults = RequestDefaults {
            headers,
            origin: Some(parsed),
            follow_redirects,
        };
        let api = crate::api::Client::new_with_client(&base_url, http, defaults);
        Ok(Client {
            api,
            base_url,
            scheme: credentials.as_ref().map_or("none", Credentials::scheme),
            retry: self.retry,
            total_timeout: self.total_timeout,
            low_speed: self.low_speed,
            compression: self.compression,
        })
    }
}

/// A configured Galileo client.
///
/// ```no_run
/// # async fn run() -> Result<(), galileo_export::Error> {
/// use galileo_export::{Client, Filter};
/// use futures::TryStreamExt;
///
/// let client = Client::from_env()?; // GALILEO_API_KEY, GALILEO_API_URL
/// let project = uuid::Uuid::parse_str("6f1c2b9e-1d2f-4c3b-9a8e-7d6c5b4a3f21").unwrap();
/// let stream = uuid::Uuid::parse_str("0b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d").unwrap();
/// let mut records = client
///     .export(project)
///     .log_stream(stream)
///     .filter(Filter::text("input").contains("refund").case_insensitive())
///     .records()
///     .await?;
/// while let Some(record) = records.try_next().await? {
///     println!("{}", record["id"]);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    api: crate::api::Client,
    base_url: String,
    scheme: &'static str,
    retry: RetryPolicy,
    total_timeout: Option<Duration>,
    low_speed: LowSpeedLimit,
    compression: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &redact_url(&self.base_url))
            .field("auth", &self.scheme)
            .field("retry", &self.retry)
            .field("total_timeout", &self.total_timeout)
            .field("low_speed", &self.low_speed)
            .field("compression", &self.compression)
            .finish()
    }
}

/// A setting from the environment variable `name`: trimmed; `None` when unset, blank or
/// not Unicode.
fn env_setting(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: the API key from `GALILEO_API_KEY`,
    /// the base URL from `GALILEO_API_URL`, else derived from `GALILEO_CONSOLE_URL` the way
    /// Galileo's Python SDK does, else the spec's server.
    pub fn from_env() -> Result<Client, Error> {
        Self::builder_from_env()?.build()
    }

    /// Like [`from_env`](Self::from_env), but returns the builder for further settings.
    pub fn builder_from_env() -> Result<ClientBuilder, Error> {
        let mut builder = Client::builder();
        match Self::api_key_from_env(ENV_API_KEY) {
            Some(key) => builder = builder.api_key(key),
            None => {
                return Err(Error::Config(format!(
                    "no credentials: the {ENV_API_KEY} environment variable is not set"
                )))
            }
        }
        if let Some(url) = Self::base_url_from_env() {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// The API key in the environment variable `name`, read the way
    /// [`from_env`](Self::from_env) reads [`ENV_API_KEY`]: trimmed, `None` when unset,
    /// blank or not Unicode. For a program that lets its user name another variable.
    pub fn api_key_from_env(name: &str) -> Option<Secret> {
        env_setting(name).map(Secret::from)
    }

    /// The base URL the environment asks for: `GALILEO_API_URL`, else the API URL derived
    /// from `GALILEO_CONSOLE_URL` (see [`ENV_CONSOLE_URL`]), else `None` (the spec's
    /// server).
    pub fn base_url_from_env() -> Option<String> {
        env_setting(ENV_API_URL)
            .or_else(|| env_setting(ENV_CONSOLE_URL).map(|c| api_url_from_console_url(&c)))
    }

    /// The generated client, for every operation of the spec.
    pub fn api(&self) -> &crate::api::Client {
        &self.api
    }

    /// The API base URL, as configured (a password in it included: show it with
    /// [`redact_url`]).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The deadline of a whole export, if any ([`ClientBuilder::total_timeout`]).
    pub fn total_timeout(&self) -> Option<Duration> {
        self.total_timeout
    }

    /// The stall rule ([`ClientBuilder::low_speed_limit`]).
    pub fn low_speed_limit(&self) -> LowSpeedLimit {
        self.low_speed
    }

    /// Whether exports ask for a compressed body ([`ClientBuilder::compression`]).
    pub fn compression(&self) -> bool {
        self.compression
    }
}
