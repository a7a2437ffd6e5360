//! Counting an export's records (built when the spec has Galileo's count operations,
//! `cfg(galileo_has_counts)`): `POST /projects/{project_id}/{traces,spans,sessions}/count`
//! with the export's source and filters, for [`ExportBuilder::count`] and for
//! [`Progress::total`](crate::Progress::total) beside an export.
//!
//! Invariant: the count's body is the export's body cut down to what the count request
//! has (source ids, filters), so both select the same records; a count is information,
//! never a reason for an export to fail.

use serde_json::{Map, Value};

use crate::api::types::LogRecordsQueryCountRequest;
use crate::client::Client;
use crate::error::Error;
use crate::export::ExportBuilder;
use crate::request::ExportRequest;
use crate::retry::{retrying, RetryPolicy};
use crate::transport::{map_api_error, TotalFuture};

/// The fields of the export's body the count request shares.
const SHARED_FIELDS: [&str; 4] = [
    "log_stream_id",
    "experiment_id",
    "metrics_testing_id",
    "filters",
];

impl ExportBuilder {
    /// How many records this export selects, as Galileo's count operation for its root
    /// type says (`traces/count`, `spans/count` or `sessions/count`), with the same
    /// source and filters. The spec warns the count "may be slightly inaccurate". The
    /// request is retried by the export's [`RetryPolicy`] (429, 502–504).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), galileo_export::Error> {
    /// use galileo_export::{Client, Filter};
    ///
    /// let client = Client::from_env()?;
    /// let (project, log_stream) = (uuid::Uuid::nil(), uuid::Uuid::nil());
    /// let export = client
    ///     .export(project)
    ///     .log_stream(log_stream)
    ///     .filter(Filter::boolean("has_error").is_true());
    /// println!("about {} traces with errors", export.count().await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn count(&self) -> Result<u64, Error> {
        let request = self.checked()?;
        let policy = self
            .retry
            .clone()
            .unwrap_or_else(|| self.client.retry_policy().clone());
        count(self.client.clone(), policy, &request).await
    }

    /// Ask for the count of records beside the export (in parallel: the export's request
    /// goes out first and never waits for it), and report it to
    /// [`on_progress`](Self::on_progress) as [`Progress::total`](crate::Progress::total)
    /// once it has arrived. A count that fails leaves `total` at `None`; the export is
    /// not affected.
    pub fn count_total(mut self, on: bool) -> Self {
        self.count_total = on;
        self
    }
}

/// The body of the count request for `request`: its source and filters, as sent.
pub(crate) fn count_body(request: &ExportRequest) -> Result<(String, Value), Error> {
    let wire = request.wire_json()?;
    let root = wire
        .get("root_type")
        .and_then(Value::as_str)
        .unwrap_or("trace")
        .to_string();
    let mut body = Map::new();
    for field in SHARED_FIELDS {
        if let Some(value) = wire.get(field).filter(|v| !v.is_null()) {
            body.insert(field.to_string(), value.clone());
        }
    }
    Ok((root, Value::Object(body)))
}

/// Ask for the count of `request`'s records.
/// Retried by `policy` as the export is.
pub(crate) async fn count(
    client: Client,
    policy: RetryPolicy,
    request: &ExportRequest,
) -> Result<u64, Error> {
    let (root, body) = count_body(request)?;
    let typed: LogRecordsQueryCountRequest = serde_json::from_value(body)
        .map_err(|e| Error::InvalidRequest(format!("the count request cannot be built: {e}")))?;
    let project = request.project_id();
    let total = retrying(&policy, || async {
        let api = client.api();
        let body = typed.clone();
        let answer = match root.as_str() {
            "span" => {
                api.count_spans()
                    .project_id(project)
                    .body(body)
                    .send()
                    .await
            }
            "session" => {
                api.count_sessions()
                    .project_id(project)
                    .body(body)
                    .send()
                    .await
            }
            _ => {
                api.count_traces()
                    .project_id(project)
                    .body(body)
                    .send()
                    .await
            }
        };
        match answer {
            Ok(answer) => Ok(answer.into_inner().total_count),
            Err(e) => Err(map_api_error(e).await),
        }
    })
    .await?;
    u64::try_from(total).map_err(|_| Error::Api {
        status: 200,
        message: format!("the count is negative ({total})"),
    })
}

/// The count of `request`'s records as the progress's total: `None` if it fails.
pub(crate) fn total_future(
    client: Client,
    policy: RetryPolicy,
    request: &ExportRequest,
) -> TotalFuture {
    let request = request.clone();
    Box::pin(async move { count(client, policy, &request).await.ok() })
}
