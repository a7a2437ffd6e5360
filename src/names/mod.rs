//! Names instead of UUIDs (built when the spec has Galileo's project and run lists,
//! `cfg(galileo_has_project_lookup)`): a project by name (`GET /projects?project_name=`),
//! a log stream or an experiment by name within a project (their paginated lists, every
//! page followed), and the log stream Galileo's SDKs use when none is named (the
//! project's oldest).
//!
//! Invariant: a name resolves only by exact match to exactly one; none or several is a
//! [`NameError`] (with the near matches, or the ids), never a guess. Each request is
//! retried as the export's is (the client's [`RetryPolicy`](crate::RetryPolicy): 429 and
//! 502–504, `Retry-After` honoured).

mod matching;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::name_error::{NameError, NameKind};
use crate::retry::retrying;
use crate::transport::map_api_error;

/// Items asked for per page of a paginated list.
const PAGE_SIZE: i64 = 100;
/// Pages followed at most (a million items at the page size): a server whose pages never
/// end is an error, not a loop.
const MAX_PAGES: usize = 10_000;

/// A project, log stream or experiment: its id, name and creation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// Its UUID, what an export is given.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// When it was created, if the server says.
    pub created_at: Option<DateTime<Utc>>,
}

/// One page of a paginated list: its items and the token of the next page.
struct Page {
    items: Vec<Named>,
    next: Option<i64>,
}

/// Every page of a list, from token 0, following `next_starting_token` until it is
/// absent; a token that does not move forward is an error.
async fn all_pages<F, Fut>(what: &str, mut page: F) -> Result<Vec<Named>, Error>
where
    F: FnMut(i64) -> Fut,
    Fut: std::future::Future<Output = Result<Page, Error>>,
{
    let mut items = Vec::new();
    let mut token = 0;
    for _ in 0..MAX_PAGES {
        let Page { items: more, next } = page(token).await?;
        items.extend(more);
        match next {
            None => return Ok(items),
            Some(next) if next > token => token = next,
            Some(next) => {
                return Err(Error::Api {
                    status: 200,
                    message: format!(
                        "the list of {what} gave next_starting_token {next} after token {token}: \
                         its pages do not move forward"
                    ),
                })
            }
        }
    }
    Err(Error::Api {
        status: 200,
        message: format!("the list of {what} did not end within {MAX_PAGES} pages"),
    })
}

impl Client {
    /// The project named `name` (exact match, case included).
    ///
    /// No project of that name is [`NameError::Missing`], listing the names that come
    /// close; several are [`NameError::Ambiguous`], listing their ids.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), galileo_export::Error> {
    /// let client = galileo_export::Client::from_env()?;
    /// let project = client.project_by_name("checkout-bot").await?;
    /// let log_stream = client.default_log_stream(project.id).await?;
    /// let export = client.export(project.id).log_stream(log_stream.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn project_by_name(&self, name: &str) -> Result<Named, Error> {
        let found = self.projects(Some(name)).await?;
        match matching::pick(NameKind::Project, name, None, &found) {
            Err(NameError::Missing { .. }) => {
                // The near matches come from every project; a failure to list them
                // leaves the answer as it is (no project has the name).
                let all = self.projects(None).await.unwrap_or_default();
                Err(matching::missing(NameKind::Project, name, None, &all).into())
            }
            picked => picked.map_err(Error::from),
        }
    }

    /// The log stream named `name` in `project` (exact match).
    pub async fn log_stream_by_name(&self, project: Uuid, name: &str) -> Result<Named, Error> {
        let all = self.log_streams(project).await?;
        Ok(matching::pick(
            NameKind::LogStream,
            name,
            Some(project),
            &all,
        )?)
    }

    /// The experiment named `name` in `project` (exact match).
    pub async fn experiment_by_name(&self, project: Uuid, name: &str) -> Result<Named, Error> {
        let all = self.experiments(project).await?;
        Ok(matching::pick(
            NameKind::Experiment,
            name,
            Some(project),
            &all,
        )?)
    }

    /// The log stream an export of `project` uses when none is named, as Galileo's SDKs
    /// choose it: the oldest (the earliest `created_at`, then the smallest id).
    /// [`NameError::NoLogStream`] when the project has none.
    pub async fn default_log_stream(&self, project: Uuid) -> Result<Named, Error> {
        let all = self.log_streams(project).await?;
        matching::oldest(&all).ok_or_else(|| NameError::NoLogStream { project }.into())
    }

    /// Every log stream of `project`, all pages.
    pub async fn log_streams(&self, project: Uuid) -> Result<Vec<Named>, Error> {
        all_pages("log streams", |token| async move {
            let page = retrying(self.retry_policy(), || async {
                match self
                    .api()
                    .list_log_streams_paginated()
                    .project_id(project)
                    .starting_token(token)
                    .limit(PAGE_SIZE)
                    .send()
                    .await
                {
                    Ok(page) => Ok(page.into_inner()),
                    Err(e) => Err(map_api_error(e).await),
                }
            })
            .await?;
            Ok(Page {
                next: page.next_starting_token,
                items: page
                    .log_streams
                    .into_iter()
                    .map(|l| Named {
                        id: l.id,
                        name: l.name,
                        created_at: Some(l.created_at),
                    })
                    .collect(),
            })
        })
        .await
    }

    /// Every experiment of `project`, all pages.
    pub async fn experiments(&self, project: Uuid) -> Result<Vec<Named>, Error> {
        all_pages("experiments", |token| async move {
            let page = retrying(self.retry_policy(), || async {
                match self
                    .api()
                    .list_experiments_paginated()
                    .project_id(project)
                    .starting_token(token)
                    .limit(PAGE_SIZE)
                    .send()
                    .await
                {
                    Ok(page) => Ok(page.into_inner()),
                    Err(e) => Err(map_api_error(e).await),
                }
            })
            .await?;
            Ok(Page {
                next: page.next_starting_token,
                items: page
                    .experiments
                    .into_iter()
                    .map(|e| Named {
                        id: e.id,
                        name: e.name,
                        created_at: e.created_at,
                    })
                    .collect(),
            })
        })
        .await
    }

    /// The projects named `name` as the server filters them, or every project; projects
    /// without a name are left out.
    async fn projects(&self, name: Option<&str>) -> Result<Vec<Named>, Error> {
        let projects = retrying(self.retry_policy(), || async {
            let mut request = self.api().get_projects();
            if let Some(name) = name {
                request = request.project_name(name.to_string());
            }
            match request.send().await {
                Ok(projects) => Ok(projects.into_inner()),
                Err(e) => Err(map_api_error(e).await),
            }
        })
        .await?;
        Ok(projects
            .into_iter()
            .filter_map(|p| {
                Some(Named {
                    id: p.id,
                    name: p.name?,
                    created_at: Some(p.created_at),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(i: u128) -> Named {
        Named {
            id: Uuid::from_u128(i),
            name: format!("n{i}"),
            created_at: None,
        }
    }

    #[tokio::test]
    async fn pages_are_followed_to_the_end() {
        let items = all_pages("things", |token| async move {
            Ok(Page {
                items: vec![named(token as u128)],
                next: (token < 300).then_some(token + 100),
            })
        })
        .await
        .expect("four pages");
        let ids: Vec<u128> = items.iter().map(|n| n.id.as_u128()).collect();
        assert_eq!(ids, [0, 100, 200, 300]);
    }

    #[tokio::test]
    async fn a_token_that_does_not_advance_is_an_error() {
        let err = all_pages("things", |_| async {
            Ok(Page {
                items: vec![],
                next: Some(0),
            })
        })
        .await
        .expect_err("a loop");
        assert!(
            err.to_string().contains("pages do not move forward"),
            "{err}"
        );
    }
}
