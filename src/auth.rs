//! Credentials: an API key (sent in the header the spec's security scheme names), a
//! bearer token, or HTTP basic. Secrets never appear in `Debug`, logs or errors.

use std::fmt;

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};

use crate::error::Error;
use crate::spec::security;

/// A secret string (API key, token, password). Its `Debug` and `Display` print `***`.
///
/// ```
/// use galileo_export::Secret;
///
/// let key = Secret::new("gal-123");
/// assert_eq!(format!("{key:?}"), "Secret(***)");
/// assert_eq!(key.expose(), "gal-123");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself. Call it only where the secret is sent.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

/// How the client authenticates. Which schemes a server accepts comes from the spec
/// ([`crate::spec::security`]); choosing one it does not offer is a configuration error.
///
/// ```
/// use galileo_export::Credentials;
///
/// let creds = Credentials::api_key("gal-123");
/// assert_eq!(format!("{creds:?}"), "ApiKey(***)");
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// An API key, sent in the header named by the spec's `apiKey` scheme
    /// (`Galileo-API-Key` in the vendored spec).
    ApiKey(Secret),
    /// A bearer token (`Authorization: Bearer …`), e.g. from Galileo's OAuth2 login.
    Bearer(Secret),
    /// HTTP basic authentication.
    Basic {
        /// User name (not secret).
        username: String,
        /// Password.
        password: Secret,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::ApiKey(_) => f.write_str("ApiKey(***)"),
            Credentials::Bearer(_) => f.write_str("Bearer(***)"),
            Credentials::Basic { username, .. } => {
                write!(f, "Basic {{ username: {username:?}, password: *** }}")
            }
        }
    }
}

impl Credentials {
    /// An API key.
    pub fn api_key(key: impl Into<Secret>) -> Self {
        Credentials::ApiKey(key.into())
    }

    /// A bearer token.
    pub fn bearer(token: impl Into<Secret>) -> Self {
        Credentials::Bearer(token.into())
    }

    /// HTTP basic credentials.
    pub fn basic(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Credentials::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    /// The scheme's name, for messages.
    pub fn scheme(&self) -> &'static str {
        match self {
            Credentials::ApiKey(_) => "API key",
            Credentials::Bearer(_) => "bearer token",
            Credentials::Basic { .. } => "HTTP basic",
        }
    }

    /// An empty secret is a configuration error, not a 401 later.
    pub(crate) fn check_not_empty(&self) -> Result<(), Error> {
        let empty = match self {
            Credentials::ApiKey(s) | Credentials::Bearer(s) => s.expose().trim().is_empty(),
            Credentials::Basic { username, .. } => username.trim().is_empty(),
        };
        if empty {
            return Err(Error::Config(format!("the {} is empty", self.scheme())));
        }
        Ok(())
    }

    /// The header this credential is sent in, marked sensitive (reqwest and hyper then
    /// keep it out of their debug output).
    pub(crate) fn header(&self) -> Result<(HeaderName, HeaderValue), Error> {
        let (name, value) = match self {
            Credentials::ApiKey(key) => {
                let Some(header) = security::API_KEY_HEADER else {
                    return Err(Error::Config(format!(
                        "the spec ({}) has no API-key header scheme; use a bearer token or basic credentials",
                        crate::spec::SPEC_FILE
                    )));
                };
                let name = HeaderName::from_bytes(header.as_bytes()).map_err(|_| {
                    Error::Config(format!(
                        "the spec's API-key header name `{header}` is not a valid header name"
                    ))
                })?;
                (name, key.expose().to_string())
            }
            Credentials::Bearer(token) => {
                if !security::BEARER {
                    return Err(Error::Config(format!(
                        "the spec ({}) accepts no bearer tokens",
                        crate::spec::SPEC_FILE
                    )));
                }
                (AUTHORIZATION, format!("Bearer {}", token.expose()))
            }
            Credentials::Basic { username, password } => {
                if !security::BASIC {
                    return Err(Error::Config(format!(
                        "the spec ({}) does not accept HTTP basic authentication",
                        crate::spec::SPEC_FILE
                    )));
                }
                let encoded = base64::engine::general_purpose::STANDARD
                    .encode(format!("{username}:{}", password.expose()));
                (AUTHORIZATION, format!("Basic {encoded}"))
            }
        };
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            // Never echo the value: it is the secret.
            Error::Config(format!(
                "the {} contains characters not allowed in an HTTP header",
                self.scheme()
            ))
        })?;
        value.set_sensitive(true);
        Ok((name, value))
    }

    pub(crate) fn apply(&self, headers: &mut HeaderMap) -> Result<(), Error> {
        let (name, value) = self.header()?;
        headers.insert(name, value);
        Ok(())
    }
}

/// Derive the API URL from a Galileo console URL the way Galileo's SDKs do: the host's
/// first label `console.` or `app.` becomes `api.` (`console-` becomes `api-`), `https`
/// is enforced, a trailing `/` dropped; a console on localhost (the parsed host is
/// `localhost`, `*.localhost`, `127.0.0.1` or `::1`, not a host that merely contains the
/// word) maps to `http://localhost:8088`.
///
pub(crate) fn api_url_from_console_url(console_url: &str) -> String {
    let trimmed = console_url.trim().trim_end_matches('/');
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("https://{trimmed}")
    };
    let Ok(mut url) = reqwest::Url::parse(&with_scheme) else {
        return with_scheme;
    };
    let host = url
        .host_str()
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let is_local = host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if is_local {
        return "http://localhost:8088".to_string();
    }
    if let Some(host) = url.host_str().map(str::to_ascii_lowercase) {
        let api_host = ["console.", "app.", "console-"].iter().find_map(|prefix| {
            host.strip_prefix(prefix).map(|rest| {
                let sep = if prefix.ends_with('-') { "-" } else { "." };
                format!("api{sep}{rest}")
            })
        });
        if let Some(api_host) = api_host {
            let _ = url.set_host(Some(&api_host));
        }
    }
    let _ = url.set_scheme("https");
    url.to_string().trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn console_urls_become_api_urls() {
        use super::api_url_from_console_url as api;
        assert_eq!(api("https://console.galileo.ai/"), "https://api.galileo.ai");
        assert_eq!(api("https://app.galileo.ai"), "https://api.galileo.ai");
        assert_eq!(
            api("console-acme.example.com"),
            "https://api-acme.example.com"
        );
        assert_eq!(api("http://localhost:3000"), "http://localhost:8088");
        assert_eq!(
            api("https://console.localhost-eu.example.com"),
            "https://api.localhost-eu.example.com"
        );
    }

    use super::*;

    #[test]
    fn api_key_goes_in_the_spec_header_and_is_sensitive() {
        let (name, value) = Credentials::api_key("k-1").header().unwrap();
        assert_eq!(
            Some(name.as_str()),
            security::API_KEY_HEADER
                .map(str::to_ascii_lowercase)
                .as_deref()
        );
        assert_eq!(value.to_str().unwrap(), "k-1");
        assert!(value.is_sensitive());
    }

    #[test]
    fn basic_is_base64() {
        let (name, value) = Credentials::basic("ann", "pw").header().unwrap();
        assert_eq!(name, AUTHORIZATION);
        assert_eq!(value.to_str().unwrap(), "Basic YW5uOnB3");
    }

    #[test]
    fn bad_header_value_does_not_echo_the_secret() {
        let err = Credentials::bearer("line\nbreak-secret")
            .header()
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn debug_is_redacted() {
        let all = [
            Credentials::api_key("s3cr3t"),
            Credentials::bearer("s3cr3t"),
            Credentials::basic("u", "s3cr3t"),
        ];
        for c in all {
            assert!(!format!("{c:?}").contains("s3cr3t"));
        }
    }
}
