//! Downloading the gov.uk bank holiday feed for `foitrack holidays update`. Only the transfer
//! lives here; what the file means and what it changes is `Service::import_holidays`.

use std::time::Duration;

use crate::service::ServiceError;

/// gov.uk's feed is about 20 kB; anything far larger is not it.
const MAX_BYTES: u64 = 5 * 1024 * 1024;

/// The body at `url` as text, or an error that says which URL failed and why.
pub fn download(url: &str, timeout: Duration) -> Result<String, ServiceError> {
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(timeout)).build().into();
    let failed = |why: String, cause: ureq::Error| {
        ServiceError::unavailable(format!("Could not download {url}: {why}."), Some(cause.into()))
    };
    let mut response = agent.get(url).call().map_err(|e| match e {
        ureq::Error::StatusCode(code) => failed(format!("the server answered HTTP {code}"), e),
        ureq::Error::Timeout(_) => failed(format!("no answer within {} seconds", timeout.as_secs()), e),
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => {
            ServiceError::invalid(format!("\"{url}\" is not a URL foitrack can download from: {e}"))
        }
        other => failed(other.to_string(), other),
    })?;
    response.body_mut().with_config().limit(MAX_BYTES).read_to_string().map_err(|e| match e {
        ureq::Error::BodyExceedsLimit(_) => ServiceError::invalid(format!(
            "{url} sent more than {} MB, which is not a bank holiday file.",
            MAX_BYTES / 1024 / 1024
        )),
        ureq::Error::Timeout(_) => failed(format!("no answer within {} seconds", timeout.as_secs()), e),
        other => failed(other.to_string(), other),
    })
}
