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

/// `spec::capabilities`: each capability of [`crate::capabilities`], whether this spec
/// has it, and the operations it lacks.
fn capability_constants(report: &Report) -> proc_macro2::TokenStream {
    let shown = |n: &crate::capabilities::Needed| {
        format!("{} {} ({})", n.method.to_uppercase(), n.path, n.name)
    };
    let decisions = crate::capabilities::decide(report);
    let constants = decisions.iter().map(|d| {
        let c = &d.capability;
        let ident = quote::format_ident!("{}", c.constant);
        let (cfg, what) = (c.cfg, c.what);
        let operations = c.operations.iter().map(shown);
        let missing = d.missing.iter().map(shown);
        let doc = format!(
            "{}{}: {}.",
            what[..1].to_uppercase(),
            &what[1..],
            if d.available() {
                "available in this build"
            } else {
                "not in this build"
            }
        );
        quote! {
            #[doc = #doc]
            pub const #ident: Capability = Capability {
                cfg: #cfg,
                what: #what,
                operations: &[#(#operations),*],
                missing: &[#(#missing),*],
            };
        }
    });
    let names = decisions
        .iter()
        .map(|d| quote::format_ident!("{}", d.capability.constant));
    quote! {
        /// Capabilities beyond Export Records, decided at build time from the spec's
        /// operations: each is on (its `cfg` flag set, its library code compiled) only
        /// when the spec has every operation it calls.
        ///
        /// ```
        /// use galileo_export::spec::capabilities::COUNTS;
        ///
        /// assert_eq!(COUNTS.cfg, "galileo_has_counts");
        /// assert_eq!(COUNTS.unavailable().is_none(), COUNTS.missing.is_empty());
        /// ```
        pub mod capabilities {
            /// A capability and the operations it needs.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct Capability {
                /// The `cfg` flag set when it is available (`galileo_has_…`).
                pub cfg: &'static str,
                /// What it gives.
                pub what: &'static str,
                /// The operations it calls, as `METHOD /path (client method)`.
                pub operations: &'static [&'static str],
                /// Those the spec this crate was built from lacks (empty: available).
                pub missing: &'static [&'static str],
            }

            impl Capability {
                /// Whether this build has it.
                pub const fn available(&self) -> bool {
                    self.missing.is_empty()
                }

                /// Why it is not available, in one sentence (`None` when it is): which
                /// operations are missing, and how to build with a spec that has them.
                pub fn unavailable(&self) -> Option<String> {
                    if self.missing.is_empty() {
                        return None;
                    }
                    Some(format!(
                        "{} needs the {} operation{} of Galileo's API, which the OpenAPI spec this \
                         galileo-export was built from ({}) does not have: build it with \
                         GALILEO_OPENAPI_SPEC=/path/to/galileo-openapi.yaml (Galileo's full spec)",
                        self.what,
                        self.missing.join(", "),
                        if self.missing.len() == 1 { "" } else { "s" },
                        super::SPEC_FILE
                    ))
                }
            }

            #(#constants)*

            /// Every capability.
            pub const ALL: &[Capability] = &[#(#names),*];
        }
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
    let capabilities = capability_constants(report);
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

        #capabilities

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
