//! Authentication as FastAPI's security dependencies answer it: the spec's API-key header
//! (or query parameter), `Authorization: Bearer`, HTTP Basic.
//!
//! Invariant: a scheme is accepted only if the spec declares it; no credentials at all is
//! 401 `Not authenticated`, wrong ones 401 `Could not validate credentials`.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use galileo_export::spec;
use serde_json::json;

use super::json_response;

/// Expected credentials.
#[derive(Clone, Debug)]
pub(crate) struct AuthConfig {
    pub required: bool,
    pub api_key: String,
    pub bearer: String,
    pub basic: (String, String),
}

pub(super) fn standard_base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        out.push(ALPHABET[(n >> 18) as usize & 63] as char);
        out.push(ALPHABET[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            ALPHABET[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            ALPHABET[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

pub(super) enum AuthOutcome {
    Ok,
    Missing,
    Invalid,
}

pub(super) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Accepts the spec's API-key header (or query parameter), `Authorization: Bearer`, or HTTP Basic,
/// each only if the spec declares that scheme.
pub(super) fn check_auth(headers: &HeaderMap, query: Option<&str>, a: &AuthConfig) -> AuthOutcome {
    let schemes_declared = spec::security::API_KEY_HEADER.is_some()
        || spec::security::API_KEY_QUERY.is_some()
        || spec::security::BEARER
        || spec::security::BASIC;
    if !a.required || !schemes_declared {
        return AuthOutcome::Ok;
    }
    let mut presented = false;
    if let (Some(name), Some(query)) = (spec::security::API_KEY_QUERY, query) {
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if k == name {
                presented = true;
                if percent_decode(v) == a.api_key {
                    return AuthOutcome::Ok;
                }
            }
        }
    }
    if let Some(name) = spec::security::API_KEY_HEADER {
        if let Some(v) = headers.get(name) {
            presented = true;
            if v.as_bytes() == a.api_key.as_bytes() {
                return AuthOutcome::Ok;
            }
        }
    }
    for v in headers.get_all(header::AUTHORIZATION) {
        let Ok(v) = v.to_str() else {
            presented = true;
            continue;
        };
        let (scheme, rest) = v.trim().split_once(' ').unwrap_or((v.trim(), ""));
        let rest = rest.trim();
        if spec::security::BEARER && scheme.eq_ignore_ascii_case("bearer") {
            presented = true;
            if rest == a.bearer {
                return AuthOutcome::Ok;
            }
        } else if spec::security::BASIC && scheme.eq_ignore_ascii_case("basic") {
            presented = true;
            let expected = standard_base64(format!("{}:{}", a.basic.0, a.basic.1).as_bytes());
            if rest == expected {
                return AuthOutcome::Ok;
            }
        }
    }
    if presented {
        AuthOutcome::Invalid
    } else {
        AuthOutcome::Missing
    }
}

pub(super) fn unauthorized(detail: &str) -> Response {
    let mut r = json_response(401, &json!({ "detail": detail }));
    let scheme = if spec::security::BEARER {
        "Bearer"
    } else if spec::security::BASIC {
        "Basic"
    } else {
        "APIKey"
    };
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(scheme));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(standard_base64(b""), "");
        assert_eq!(standard_base64(b"f"), "Zg==");
        assert_eq!(standard_base64(b"fo"), "Zm8=");
        assert_eq!(standard_base64(b"foo"), "Zm9v");
        assert_eq!(standard_base64(b"foobar"), "Zm9vYmFy");
    }
}
