//! The spec constants module (`OUT_DIR/spec.rs`): what the handwritten layer needs from
//! the spec — base URL, security schemes, operations — so a newer spec changes them
//! without a code change.

use std::path::Path;

use quote::quote;
use serde_json::Value;

use crate::normalize::Report;

fn opt(s: Option<&str>) -> proc_macro2::TokenStream {
    match s {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    }
}

/// Render the constants module for a normalized document.
pub fn spec_module(file: &Path, doc: &Value, report: &Report) -> String {
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let title = doc
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or("");
    let version = doc
        .pointer("/info/version")
        .and_then(Value::as_str)
        .unwrap_or("");
    let base_url = doc
        .pointer("/servers/0/url")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim_end_matches('/');

    let schemes = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut api_key_header = None;
    let mut api_key_query = None;
    let mut bearer = false;
    let mut basic = false;
    let mut token_url = None;
    for scheme in schemes.values() {
        let kind = scheme.get("type").and_then(Value::as_str).unwrap_or("");
        match kind {
            "apiKey" => {
                let name = scheme.get("name").and_then(Value::as_str);
                match scheme.get("in").and_then(Value::as_str) {
                    Some("header") if api_key_header.is_none() => api_key_header = name,
                    Some("query") if api_key_query.is_none() => api_key_query = name,
                    _ => {}
                }
            }
            "http" => match scheme
                .get("scheme")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("bearer") => bearer = true,
                Some("basic") => basic = true,
                _ => {}
            },
            "oauth2" | "openIdConnect" => {
                bearer = true;
                if token_url.is_none() {
                    token_url = scheme
                        .get("flows")
                        .and_then(Value::as_object)
                        .and_then(|f| {
                            f.values()
                                .find_map(|flow| flow.get("tokenUrl").and_then(Value::as_str))
                        });
                }
            }
            _ => {}
        }
    }
    let api_key_header = opt(api_key_header);
    let api_key_query = opt(api_key_query);
    let token_url = opt(token_url);

    let operations = report.operations.iter().map(|o| {
        let (name, id, method, path) = (&o.name, &o.operation_id, &o.method, &o.path);
        quote!(Operation { name: #name, operation_id: #id, method: #method, path: #path })
    });
    let skipped = report.skipped.iter().map(|s| {
        let (id, method, path, reason) = (&s.operation_id, &s.method, &s.path, &s.reason);
        quote!(SkippedOperation { operation_id: #id, method: #method, path: #path, reason: #reason })
    });

    let tokens = quote! {
        /// File name of the OpenAPI spec this crate was generated from.
        pub const SPEC_FILE: &str = #file_name;
        /// `info.title` of the spec.
        pub const TITLE: &str = #title;
        /// `info.version` of the spec.
        pub const VERSION: &str = #version;
        /// The spec's default server (`servers[0].url`), without a trailing slash.
        pub const DEFAULT_BASE_URL: &str = #base_url;

        /// One generated operation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct Operation {
            /// Clean method name on the generated client (e.g. `export_records`).
            pub name: &'static str,
            /// The operationId as written in the spec.
            pub operation_id: &'static str,
            /// HTTP method, lower case.
            pub method: &'static str,
            /// Path template, e.g. `/v2/projects/{project_id}/export_records`.
            pub path: &'static str,
        }

        /// An operation of the spec that is not on the generated client, and why.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct SkippedOperation {
            /// The operationId as written in the spec.
            pub operation_id: &'static str,
            /// HTTP method, lower case.
            pub method: &'static str,
            /// Path template.
            pub path: &'static str,
            /// Why it could not be generated.
            pub reason: &'static str,
        }

        /// Every operation on the generated client, in spec order.
        pub const OPERATIONS: &[Operation] = &[#(#operations),*];

        /// Operations of the spec left out of the generated client.
        pub const SKIPPED_OPERATIONS: &[SkippedOperation] = &[#(#skipped),*];

        /// Look up a generated operation by its clean name.
        ///
        /// ```
        /// let export = galileo_export::spec::operation("export_records").unwrap();
        /// assert_eq!(export.method, "post");
        /// ```
        pub fn operation(name: &str) -> Option<&'static Operation> {
            OPERATIONS.iter().find(|o| o.name == name)
        }

        /// What the spec's security schemes need from a client.
        pub mod security {
            /// Header that carries an API key (`apiKey` scheme `in: header`), if any.
            pub const API_KEY_HEADER: Option<&str> = #api_key_header;
            /// Query parameter that carries an API key (`apiKey` scheme `in: query`), if any.
            pub const API_KEY_QUERY: Option<&str> = #api_key_query;
            /// Whether a bearer token is accepted (`http` bearer, `oauth2` or `openIdConnect`).
            pub const BEARER: bool = #bearer;
            /// Whether HTTP basic authentication is accepted.
            pub const BASIC: bool = #basic;
            /// The OAuth2 token URL, if the spec has an OAuth2 flow.
            pub const OAUTH2_TOKEN_URL: Option<&str> = #token_url;
        }
    };
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(f) => prettyplease::unparse(&f),
        Err(_) => tokens.to_string(),
    }
}
