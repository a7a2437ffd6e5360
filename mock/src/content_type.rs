//! [`ResponseContentType`]: the `Content-Type` a server gives successful exports.
//!
//! Invariant: the documented default is `application/json` for both formats (the only
//! 200 media type the spec declares); the body is framed by the requested format, never
//! by this header.

use axum::http::HeaderValue;

use crate::validate::ExportFormat;

/// The `Content-Type` of successful export responses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ResponseContentType {
    /// `application/json` for both formats: the only 200 media type the
    /// published spec and docs page declare for this operation. A client
    /// should frame the body by the `export_format` it requested, not by this.
    #[default]
    Documented,
    /// `application/jsonl` for JSONL and `text/csv; charset=utf-8` for CSV.
    PerFormat,
    /// Explicit values per format.
    Custom {
        /// Content type of JSONL exports.
        jsonl: String,
        /// Content type of CSV exports.
        csv: String,
    },
}

impl ResponseContentType {
    /// The header value for an export in `format` (`application/octet-stream` when a
    /// custom value is not a valid header value).
    pub(crate) fn header_value(&self, format: ExportFormat) -> HeaderValue {
        let s: &str = match (self, format) {
            (ResponseContentType::Documented, _) => "application/json",
            (ResponseContentType::PerFormat, ExportFormat::Jsonl) => "application/jsonl",
            (ResponseContentType::PerFormat, ExportFormat::Csv) => "text/csv; charset=utf-8",
            (ResponseContentType::Custom { jsonl, .. }, ExportFormat::Jsonl) => jsonl,
            (ResponseContentType::Custom { csv, .. }, ExportFormat::Csv) => csv,
        };
        HeaderValue::from_str(s).unwrap_or(HeaderValue::from_static("application/octet-stream"))
    }
}
